"""Discord's side of `qabot import discord`: forum threads and text-channel threads, read with
adapters/discord/history.py over discord.py's HTTP client (no gateway connection).

- A forum channel: every thread, active (the guild's active threads of that forum) and archived
  (paged by `before`), is a question: its title over its starter message, with its forum tags.
- A text channel: its messages paged oldest first by `after`; one that started a thread (the
  thread shares its id) is a question under the Slack rule.

Discord refusing a read (a missing View Channel or Read Message History) stops the import with
one line naming the permission.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp
import discord

import adapters.discord.translate as tr
from adapters.discord.compat import applied_tag_ids
from adapters.discord.history import DiscordHistory
from adapters.discord.runtime import BAD_TOKEN, configure_endpoints
from bot.domain import MessageRef, UserRef
from bot.errors import SettingsError
from bot.import_rules import ListedThread
from bot.importing import ImportStopped
from bot.reconcile import SeenEmoji, SeenMessage, SeenReaction
from bot.settings import Settings

__all__ = ["DiscordImportSource", "discord_import_source"]

_NEEDED = "qabot needs View Channel and Read Message History there"


class DiscordImportSource:
    def __init__(self, client: discord.Client, guild_id: int) -> None:
        self.client = client
        self.workspace = tr.workspace(guild_id)
        self.history = DiscordHistory(guild_id)

    async def threads(self, channel_id: str, *, since: datetime | None) -> Sequence[ListedThread]:
        async with _refused(channel_id):
            channel = await self.client.fetch_channel(int(channel_id))
            if isinstance(channel, discord.ForumChannel):
                return await self._forum(channel, since)
            listed = await self.history.messages(channel, after=since, oldest_first=True)
        return [self._listed(channel_id, m) for m in listed if m.thread is not None]

    def _listed(self, channel_id: str, message: discord.Message) -> ListedThread:
        ref = MessageRef(str(message.id), str(message.id))  # its thread shares its id
        return ListedThread(
            channel_id=channel_id, thread_key=str(message.id),
            head=self.history.seen(ref, message), asked_at=message.created_at,
        )  # fmt: skip

    async def _forum(
        self, forum: discord.ForumChannel, since: datetime | None
    ) -> list[ListedThread]:
        active = await forum.guild.active_threads()
        threads = {t.id: t for t in active if t.parent_id == forum.id}
        async for archived in forum.archived_threads(limit=None):
            threads[archived.id] = archived
        tags = {tag.id: tag.name for tag in forum.available_tags}
        return [
            self._forum_thread(forum, thread, tags)
            for thread in threads.values()
            if since is None or discord.utils.snowflake_time(thread.id) >= since
        ]

    def _forum_thread(
        self, forum: discord.ForumChannel, thread: discord.Thread, tags: dict[int, str]
    ) -> ListedThread:
        # The starter message shares the thread's id; `read` lists it with the replies.
        ref = MessageRef(str(thread.id), str(thread.id))
        owner = UserRef(self.workspace, str(thread.owner_id))
        return ListedThread(
            channel_id=str(forum.id), thread_key=str(thread.id),
            head=SeenMessage(ref, owner, ""), asked_at=discord.utils.snowflake_time(thread.id),
            title=thread.name, tags=tuple(tags[t] for t in applied_tag_ids(thread) if t in tags),
            forum=True,
        )  # fmt: skip

    async def read(self, thread: ListedThread) -> tuple[SeenMessage, Sequence[SeenMessage]]:
        channel = self.client.get_partial_messageable(int(thread.thread_key))
        async with _refused(thread.thread_key):
            listed = await self.history.messages(channel, oldest_first=True)
        head, replies = thread.head, []
        for message in listed:
            ref = MessageRef(thread.thread_key, str(message.id))
            if ref == thread.head.message:
                head = self.history.seen(ref, message)
            else:
                replies.append(self.history.seen(ref, message))
        return head, replies

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        async with _refused(message.channel_id):
            return await self.history.reactors(message, seen)

    async def person(self, author: UserRef) -> UserRef:
        return author  # a Discord message names its author in full

    def sent_at(self, message: MessageRef) -> datetime:
        return discord.utils.snowflake_time(int(message.message_id))


@asynccontextmanager
async def _refused(channel_id: str) -> AsyncIterator[None]:
    try:
        yield
    except discord.Forbidden as error:
        reason = error.text or "Missing Access"
        raise ImportStopped(f"Discord refused to read {channel_id} ({reason}): {_NEEDED}") from None
    except discord.NotFound:
        raise ImportStopped(f"Discord has no channel {channel_id} this bot can see") from None
    except discord.HTTPException as error:
        raise ImportStopped(
            f"Discord answered {error.status} reading {channel_id}: try again later"
        ) from None
    except (aiohttp.ClientError, OSError) as error:
        raise ImportStopped(f"cannot reach Discord: {type(error).__name__}") from None


@asynccontextmanager
async def discord_import_source(
    settings: Settings, channels: Sequence[str]
) -> AsyncIterator[DiscordImportSource]:
    """A source on DISCORD_TOKEN and `[discord] api_base_url`, for the guild of the channels."""
    token = settings.secrets.discord_token
    if not token:
        raise SettingsError("DISCORD_TOKEN is not set")
    configure_endpoints(settings.discord)
    async with discord.Client(intents=discord.Intents.none()) as client:
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise SettingsError(BAD_TOKEN) from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as error:
            raise SettingsError(
                f"cannot reach Discord at {settings.discord.api_base_url} "
                f"({type(error).__name__}): check [discord] api_base_url and the network"
            ) from None
        async with _refused(channels[0]):
            first = await client.fetch_channel(int(channels[0]))
        guild = getattr(first, "guild", None)
        if guild is None:
            raise SettingsError(f"{channels[0]} is not a channel of a Discord server")
        yield DiscordImportSource(client, guild.id)
