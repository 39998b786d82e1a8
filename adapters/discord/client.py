"""The discord.py client of qabot: gateway events in, core calls out.

Only raw events are used for reactions and edits (they arrive for old, uncached messages too);
each handler translates its event in its first lines and then talks to the core only. Commands,
buttons, the poster and catch-up get the client's `DiscordContext`, not the client.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

import adapters.discord.translate as tr
from adapters.discord.catchup import start_catch_up
from adapters.discord.commands import register_commands
from adapters.discord.compat import guard_parsers, silence_voice_warnings
from adapters.discord.components import AnswerButton, ShareButton
from adapters.discord.connection import GatewayWatch
from adapters.discord.context import ContextClient, DiscordContext
from adapters.discord.observe import TimedTree, report_command
from adapters.discord.surfacing import DiscordPoster
from bot.domain import MessageRef
from bot.errors import InvalidInput, NotAllowed, QAError, RateLimited, VoteIgnored
from bot.log_format import log_context
from bot.service import QAService
from bot.settings import Settings

__all__ = ["INVITE_PERMISSIONS", "QABotClient", "intents_for"]

log = logging.getLogger("qabot.discord")

# What the bot does and nothing more: read and post in channels and threads, start threads and
# forum posts, embed rankings, read history (to fetch a message it did not cache).
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
)


def intents_for(settings: Settings) -> discord.Intents:
    """Exactly the intents qabot needs; Message Content is privileged and only asked for if set."""
    return discord.Intents(
        guilds=True,
        guild_messages=True,
        guild_reactions=True,
        message_content=settings.discord.message_content,
    )


class QABotClient(ContextClient):
    def __init__(
        self,
        *,
        settings: Settings,
        service: QAService,
        guild_ready_timeout: float = 2.0,
        **connection: Any,
    ) -> None:
        silence_voice_warnings()
        super().__init__(
            **connection,  # the shards to connect, for the sharded client
            intents=intents_for(settings),
            guild_ready_timeout=guild_ready_timeout,
            # Text people typed is repeated in posts: it must never ping @everyone, a role or a
            # person, whatever it contains.
            allowed_mentions=discord.AllowedMentions.none(),
            # No message cache: every handler reads the raw event's payload, never a cached
            # Message, and the default keeps the last 1,000 messages in memory.
            max_messages=None,
        )
        self.settings = settings
        self.service = service
        self.context = DiscordContext(client=self, settings=settings, service=service)
        self.gateway_watch = GatewayWatch(
            gateway=settings.discord.gateway_url, shards=settings.discord.owned_shards
        )
        service.readiness.set("discord", self.gateway_watch.state())
        self.tree: app_commands.CommandTree[Any] = TimedTree(self)
        guard_parsers(self)
        self.tree.error(self._on_command_error)
        register_commands(self.tree, self.context)
        # Digests and thread notices (similar questions, hot answers) the core posts itself.
        service.posters.register("discord", DiscordPoster(self.context))

    # ------------------------------------------------------------------ start-up
    async def setup_hook(self) -> None:
        self.add_dynamic_items(AnswerButton, ShareButton)
        guild_ids = self.settings.discord.guild_ids
        for guild_id in guild_ids:  # guild commands appear at once; global ones may take an hour
            if not self._syncs_commands_of(int(guild_id)):
                continue
            guild = discord.Object(id=int(guild_id))
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        if not guild_ids and self._syncs_commands_of(None):
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    def _syncs_commands_of(self, guild_id: int | None) -> bool:
        """Whether this process syncs a guild's commands (None: the global ones). With shards,
        only the process that connects the guild's shard does (shard 0 for the global ones), so
        N processes do not sync the same commands N times."""
        count = self.settings.discord.shard_count
        if not count:
            return True
        shard = 0 if guild_id is None else (guild_id >> 22) % count
        return shard in self.settings.discord.owned_shards

    def invite_url(self) -> str:
        return discord.utils.oauth_url(
            self.application_id or 0,
            permissions=INVITE_PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )

    async def on_ready(self) -> None:
        self._log_connected()
        self._connection_ready(None, "ready")

    async def on_connect(self) -> None:
        self.gateway_watch.up()

    async def on_resumed(self) -> None:
        self.gateway_watch.up()
        self._connection_ready(None, "resumed")

    async def on_socket_event_type(self, event_type: str) -> None:
        self.service.metrics.event("discord", event_type.lower())

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[Any],
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        report_command(self.service.metrics, interaction, command.qualified_name)

    async def on_disconnect(self) -> None:
        self._connection_lost(None)

    def _log_connected(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        log.info("invite the bot with %s", self.invite_url())

    def _connection_ready(self, shard: int | None, why: str) -> None:
        """One gateway connection (a shard's, or the only one) is READY or RESUMED."""
        self.gateway_watch.ready(shard)
        self.service.readiness.set("discord", self.gateway_watch.state())
        self._catch_up(why, shard)

    def _connection_lost(self, shard: int | None) -> None:
        self.gateway_watch.down(shard)
        self.service.readiness.set("discord", self.gateway_watch.state())

    def _catch_up(self, why: str, shard: int | None) -> None:
        # Discord replays nothing from before a new session, and a resume may skip what was
        # dropped: re-read recent questions in the background, commands go on meanwhile. A
        # shard catches up only its own guilds.
        for guild in self.guilds:
            if shard is not None and guild.shard_id != shard:
                continue
            if start_catch_up(self.context, guild.id) is not None:
                log.info("catching up in guild %s (%s)", guild.id, why)

    async def close(self) -> None:
        # Finished, not only told to stop, before the caller closes the store under them.
        catching_up = list(self.context.catch_up_tasks.values())
        for task in catching_up:
            task.cancel()
        await asyncio.gather(*catching_up, return_exceptions=True)
        await super().close()

    # ------------------------------------------------------------------ reactions
    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        vote = tr.reaction(event, me=self._me())
        if vote is not None:
            await self._vote(vote, add=True)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        member = None
        if event.guild_id is not None and (guild := self.get_guild(event.guild_id)) is not None:
            member = guild.get_member(event.user_id)  # a removal carries no member: use the cache
        vote = tr.reaction(event, me=self._me(), member=member)
        if vote is not None:
            await self._vote(vote, add=False)

    async def _vote(self, vote: tr.Reaction, *, add: bool) -> None:
        with log_context(platform="discord", workspace=vote.voter.workspace.workspace_id):
            await self._logged_vote(vote, add=add)

    async def _logged_vote(self, vote: tr.Reaction, *, add: bool) -> None:
        try:
            if add:
                outcome = await self.service.react(
                    voter=vote.voter, target=vote.target, emoji=vote.emoji
                )
            else:
                outcome = await self.service.unreact(
                    voter=vote.voter, target=vote.target, emoji=vote.emoji
                )
        except VoteIgnored as why:  # own post, unmapped emoji...: reactions are not only votes
            log.debug("reaction %s not counted: %s", vote.emoji, why)
        except (RateLimited, NotAllowed) as why:  # Discord cannot answer a reaction privately
            reason = "rate limited" if isinstance(why, RateLimited) else "not allowed"
            log.info("reaction %s on %s not counted: %s: %s", vote.emoji, vote.target, reason, why)
        except QAError as error:  # not a question or answer; or the store is down
            log.debug("reaction on %s ignored: %s", vote.target, error)
        except Exception:
            log.exception("reaction %s on %s failed", vote.emoji, vote.target)
        else:
            log.debug("%s on %s: %s", vote.emoji, outcome.post_id, outcome.status.value)

    async def on_raw_reaction_clear(self, event: discord.RawReactionClearEvent) -> None:
        await self._clear(tr.reaction_clear(event))

    async def on_raw_reaction_clear_emoji(self, event: discord.RawReactionClearEmojiEvent) -> None:
        await self._clear(tr.reaction_clear(event))

    async def _clear(self, clear: tr.ReactionClear | None) -> None:
        if clear is None:
            return
        try:
            await self.service.clear_votes(
                workspace=clear.workspace, target=clear.target, emoji=clear.emoji
            )
        except QAError as error:  # not a question or answer
            log.debug("reaction clear on %s ignored: %s", clear.target, error)
        except Exception:
            log.exception("reaction clear on %s failed", clear.target)

    # ------------------------------------------------------------------ answers by message
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot:
            return
        if isinstance(message.channel, discord.abc.GuildChannel):
            return  # a channel, not a thread: questions' threads hold the answers
        if not message.content.strip():
            # Blank without the Message Content intent; answers then come from the form.
            return
        author = tr.user_ref(message.author, guild_id=message.guild.id)
        ref = MessageRef(str(message.channel.id), str(message.id))
        try:
            answer = await self.service.answer_in_thread(
                author=author, thread_key=str(message.channel.id), text=message.content, message=ref
            )
        except InvalidInput as error:  # too long, control characters: say so where they wrote
            await self._tell(message, error.message)
        except QAError as error:
            log.info("answer in thread %s refused: %s", message.channel.id, error)
        except Exception:
            log.exception("answer in thread %s failed", message.channel.id)
        else:
            if answer is not None:
                log.debug("message %s is answer A%d", message.id, answer.number)

    async def _tell(self, message: discord.Message, text: str) -> None:
        try:
            await message.reply(text, mention_author=False, delete_after=60)
        except discord.HTTPException:
            log.warning("could not reply in channel %s", message.channel.id)

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        message = event.message
        if event.guild_id is None or message.author.bot or not message.content.strip():
            return  # the bot's own posts, and edits whose text we cannot see
        ws = tr.workspace(event.guild_id)
        ref = MessageRef(str(event.channel_id), str(event.message_id))
        try:
            await self.service.edit_message(ws, ref, message.content)
        except QAError as error:
            log.info("edit of %s not followed: %s", ref, error)
        except Exception:
            log.exception("edit of %s failed", ref)

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        if event.guild_id is None:
            return
        ref = MessageRef(str(event.channel_id), str(event.message_id))
        try:
            await self.service.delete_message(tr.workspace(event.guild_id), ref)
        except Exception:
            log.exception("deletion of %s not followed", ref)

    # ------------------------------------------------------------------ helpers
    def _me(self) -> int:
        return self.user.id if self.user is not None else 0

    async def _on_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        self.service.metrics.error(type(getattr(error, "original", error)).__name__)
        log.error("command %s failed", getattr(interaction.command, "name", "?"), exc_info=error)
        text = "Sorry, that command failed on my side; it is logged."
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the failed command")
