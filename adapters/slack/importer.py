"""Slack's side of `qabot import slack`: a channel's threads, read with adapters/slack/history.py.

A thread is a top-level message with at least one reply (`reply_count`); its replies come from
`conversations.replies` and its reactors from the listing or `reactions.get` (full), as in
catch-up. Slack refusing a call (a missing scope, a channel the bot is not in) stops the import
with one line naming what is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.translate as edge
from adapters.slack.app import make_web_client
from adapters.slack.history import SlackHistory
from adapters.slack.runtime import check_bot_token
from adapters.slack.state import UserDirectory
from bot.domain import MessageRef, UserRef, WorkspaceRef
from bot.errors import SettingsError
from bot.import_rules import ListedThread
from bot.importing import ImportStopped
from bot.reconcile import SeenEmoji, SeenMessage, SeenReaction
from bot.settings import Settings

__all__ = ["SlackImportSource", "slack_import_source"]


class SlackImportSource:
    def __init__(self, client: AsyncWebClient, workspace: WorkspaceRef) -> None:
        self.workspace = workspace
        self.history = SlackHistory(client, UserDirectory(client), workspace)

    async def threads(self, channel_id: str, *, since: datetime | None) -> Sequence[ListedThread]:
        oldest = f"{since.timestamp():.6f}" if since is not None else None
        async with _refused("conversations.history", channel_id):
            listed = await self.history.channel(channel_id, oldest=oldest)
        return [
            ListedThread(
                channel_id=channel_id,
                thread_key=edge.thread_key(channel_id, str(message["ts"])),
                head=self.history.seen(channel_id, message),
                asked_at=sent_at(str(message["ts"])),
            )
            for message in listed
            if _is_thread(message)
        ]

    async def read(self, thread: ListedThread) -> tuple[SeenMessage, Sequence[SeenMessage]]:
        head = thread.head.message
        async with _refused("conversations.replies", head.channel_id):
            listed = await self.history.thread(head.channel_id, head.message_id)
        seen = [self.history.seen(head.channel_id, message) for message in listed]
        first = next((m for m in seen if m.message == head), thread.head)
        return first, [m for m in seen if m.message != head]

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        async with _refused("reactions.get", message.channel_id):
            return await self.history.reactors(message, seen)

    async def person(self, author: UserRef) -> UserRef:
        if author.is_bot:
            return author
        async with _refused("users.info", ""):
            return await self.history.person_by_id(author.user_id)

    def sent_at(self, message: MessageRef) -> datetime:
        return sent_at(message.message_id)


def sent_at(ts: str) -> datetime:
    """A Slack ts (`"1700000000.000123"`) as the moment it names, without a float's rounding."""
    seconds, _, micros = ts.partition(".")
    moment = datetime.fromtimestamp(int(seconds), tz=UTC)
    return moment.replace(microsecond=int(micros.ljust(6, "0")[:6] or 0))


def _is_thread(message: dict[str, Any]) -> bool:
    """A top-level message with replies: one without any is not a thread."""
    return int(message.get("reply_count") or 0) > 0 and message.get("subtype") != "tombstone"


@asynccontextmanager
async def _refused(method: str, channel: str) -> AsyncIterator[None]:
    """Slack's refusal as one line: the error, and the scope it names when one is missing."""
    try:
        yield
    except SlackApiError as error:
        reason = str(error.response.get("error", "error"))
        needed = error.response.get("needed")
        where = f" in {channel}" if channel else ""
        hint = f" (the Slack app needs the {needed} scope)" if needed else ""
        raise ImportStopped(f"Slack refused {method}{where}: {reason}{hint}") from None
    except (aiohttp.ClientError, OSError) as error:
        raise ImportStopped(f"cannot reach Slack for {method}: {type(error).__name__}") from None


@asynccontextmanager
async def slack_import_source(
    settings: Settings, channels: Sequence[str]
) -> AsyncIterator[SlackImportSource]:
    """A source on the configured token and `[slack] api_base_url`, its team from auth.test
    (whichever `channels` are read); one HTTP session for every call."""
    if not settings.secrets.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set")
    client = make_web_client(settings)
    identity = await check_bot_token(client)
    async with aiohttp.ClientSession() as session:
        client.session = session
        yield SlackImportSource(client, WorkspaceRef("slack", str(identity.get("team_id", ""))))
