"""Reading Slack's history, for catch-up (adapters/slack/catchup.py) and import
(adapters/slack/importer.py) alike: one listing code, read to the end of every list.

- `channel` pages `conversations.history` (top-level messages, newest first, by cursor);
- `thread` pages `conversations.replies` (a thread's messages with their reactions, whose
  counts are exact and whose users Slack names only in part);
- `reactors` names everyone behind one emoji: the listing's users when they are all there,
  else `reactions.get` with `full=true` (read once per message, its users in full).

Every call goes through the one Web API client, whose retry handlers wait out 429s as Slack's
Retry-After says and back off on 5xx answers. Slack's payload dicts stop here: callers get
`bot.reconcile` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.translate as edge
from adapters.slack.state import UserDirectory
from bot.domain import MessageRef, UserRef, WorkspaceRef
from bot.reconcile import SeenEmoji, SeenMessage, SeenReaction

__all__ = ["Listing", "SlackHistory", "reactions", "seen_message"]

Listing = list[dict[str, Any]]
_PAGE = 200


class SlackHistory:
    def __init__(
        self, client: AsyncWebClient, users: UserDirectory, workspace: WorkspaceRef
    ) -> None:
        self.client = client
        self.users = users
        self.workspace = workspace
        self._full: dict[MessageRef, dict[str, list[str]]] = {}  # reactions.get, per message

    async def channel(self, channel: str, *, oldest: str | None = None) -> Listing:
        """Every top-level message of the channel posted at or after `oldest` (a ts)."""
        args: dict[str, Any] = {"oldest": oldest} if oldest else {}
        return await self._paged("conversations_history", channel=channel, **args)

    async def thread(self, channel: str, parent: str) -> Listing:
        """The thread's messages, its first one included, oldest first."""
        return await self._paged("conversations_replies", channel=channel, ts=parent)

    async def _paged(self, method: str, **args: Any) -> Listing:
        listed: Listing = []
        cursor: str | None = None
        while True:
            page = await getattr(self.client, method)(limit=_PAGE, cursor=cursor, **args)
            listed += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return listed

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        users = list(seen.listed)
        if len(users) != seen.count:
            users = (await self._all_reactions(message)).get(seen.emoji, [])
        people = [await self.person_by_id(user_id) for user_id in users]
        return [SeenReaction(person.user_id, seen.emoji, person.is_bot) for person in people]

    async def person_by_id(self, user_id: str) -> UserRef:
        return await self.users.get(self.workspace, user_id)

    async def _all_reactions(self, message: MessageRef) -> dict[str, list[str]]:
        """Every emoji's users on the message (`full=true`: never cut short)."""
        if message not in self._full:
            response = await self.client.reactions_get(
                channel=message.channel_id, timestamp=message.message_id, full=True
            )
            reactions = (response.get("message") or {}).get("reactions") or []
            self._full[message] = {
                str(r.get("name")): [str(u) for u in r.get("users") or []] for r in reactions
            }
        return self._full[message]

    def seen(self, channel: str, message: dict[str, Any]) -> SeenMessage:
        return seen_message(self.workspace, channel, message)


def seen_message(workspace: WorkspaceRef, channel: str, message: dict[str, Any]) -> SeenMessage:
    """A listed message, its author named as listed (`person` asks for the rest)."""
    user_id = str(message.get("user") or message.get("bot_id") or "")
    author = UserRef(workspace, user_id, is_bot=bool(message.get("bot_id")))
    text = edge.unescape(str(message.get("text", "")))
    return SeenMessage(MessageRef(channel, str(message.get("ts"))), author, text,
                       reactions(message))  # fmt: skip


def reactions(message: dict[str, Any]) -> tuple[SeenEmoji, ...]:
    return tuple(
        SeenEmoji(
            str(reaction.get("name")),
            int(reaction.get("count") or 0),
            tuple(str(user) for user in reaction.get("users") or ()),
        )
        for reaction in message.get("reactions") or ()
    )
