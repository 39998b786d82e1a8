"""Slack's side of catch-up after downtime: what a question's message and thread show now.

`SlackView.thread` lists the question and its replies with `conversations.replies` (paged), whose
messages carry their reactions with counts and the users Slack chose to name; only when an
emoji's count changed and its users are not all named does `reactors` read the message's
`reactions.get` (once per message and pass). Both go through the context's Web API client, whose
retry handlers wait out 429s as Slack says; `start_catch_up` runs one `bot.reconcile.Reconciler`
pass in the background, so commands are served meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError

import adapters.slack.translate as edge
from adapters.slack.context import SlackContext
from bot.domain import MessageRef, Question, UserRef, WorkspaceRef
from bot.reconcile import CatchUp, Reconciler, SeenEmoji, SeenMessage, SeenReaction, SeenThread

__all__ = ["SlackView", "start_catch_up"]

log = logging.getLogger("qabot.slack")

# The message (or its thread) certainly no longer exists; any other error is a failure to retry
# at the next catch-up, never a reason to hide a post.
_GONE = {"message_not_found", "thread_not_found"}
_PAGE = 200


class SlackView:
    def __init__(self, context: SlackContext, workspace: WorkspaceRef) -> None:
        self.context = context
        self.workspace = workspace
        self._full: dict[MessageRef, dict[str, list[str]]] = {}  # reactions.get, this pass

    async def thread(self, question: Question) -> SeenThread | None:
        assert question.message is not None
        channel, parent = question.message.channel_id, question.message.message_id
        listed = await self._listing(channel, parent)
        head = next((m for m in listed or () if str(m.get("ts", "")) == parent), None)
        if head is None or head.get("subtype") == "tombstone":
            return None  # the question's message was deleted (a tombstone keeps its replies)
        replies = tuple(
            self._reply(channel, message) for message in listed or () if message is not head
        )
        return SeenThread(_reactions(head), replies)

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        users = list(seen.listed)
        if len(users) != seen.count:
            users = (await self._all_reactions(message)).get(seen.emoji, [])
        people = [await self.context.user(self.workspace, user_id) for user_id in users]
        return [SeenReaction(person.user_id, seen.emoji, person.is_bot) for person in people]

    async def person(self, author: UserRef) -> UserRef:
        if author.is_bot:
            return author
        return await self.context.user(self.workspace, author.user_id)

    async def _listing(self, channel: str, parent: str) -> list[dict[str, Any]] | None:
        listed: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            try:
                page = await self.context.client.conversations_replies(
                    channel=channel, ts=parent, limit=_PAGE, cursor=cursor
                )
            except SlackApiError as error:
                if error.response.get("error") in _GONE:
                    return None
                raise
            listed += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return listed

    async def _all_reactions(self, message: MessageRef) -> dict[str, list[str]]:
        """Every emoji's users on the message (`full=true`: never cut short)."""
        if message not in self._full:
            response = await self.context.client.reactions_get(
                channel=message.channel_id, timestamp=message.message_id, full=True
            )
            reactions = (response.get("message") or {}).get("reactions") or []
            self._full[message] = {
                str(r.get("name")): [str(u) for u in r.get("users") or []] for r in reactions
            }
        return self._full[message]

    def _reply(self, channel: str, message: dict[str, Any]) -> SeenMessage:
        # Named as listed; the Reconciler asks `person` for the author of a reply it keeps.
        user_id = str(message.get("user") or message.get("bot_id") or "")
        author = UserRef(self.workspace, user_id, is_bot=bool(message.get("bot_id")))
        text = edge.unescape(str(message.get("text", "")))
        return SeenMessage(MessageRef(channel, str(message.get("ts"))), author, text,
                           _reactions(message))  # fmt: skip


def _reactions(message: dict[str, Any]) -> tuple[SeenEmoji, ...]:
    return tuple(
        SeenEmoji(
            str(reaction.get("name")),
            int(reaction.get("count") or 0),
            tuple(str(user) for user in reaction.get("users") or ()),
        )
        for reaction in message.get("reactions") or ()
    )


def start_catch_up(context: SlackContext, workspace: WorkspaceRef) -> asyncio.Task[CatchUp] | None:
    """Run one catch-up pass in the background (none if one is already running, or days = 0)."""
    days = context.settings.reconcile.days
    running = context.catch_up_task
    if days <= 0 or (running is not None and not running.done()):
        return None
    service = context.service
    view = SlackView(context, workspace)
    reconciler = Reconciler(service=service, view=view, days=days, clock=service.clock)
    task = asyncio.get_running_loop().create_task(_logged(reconciler, workspace))
    context.catch_up_task = task
    return task


async def _logged(reconciler: Reconciler, workspace: WorkspaceRef) -> CatchUp:
    try:
        return await reconciler.run(workspace)
    except Exception:  # the store is down, say: the next start or reconnect tries again
        log.exception("catch-up in %s stopped", workspace.workspace_id)
        return CatchUp()
