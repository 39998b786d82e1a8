"""Slack's side of catch-up after downtime: what a question's message and thread show now.

`SlackView` reads `reactions.get` and `conversations.replies` (paged) through the context's Web
API client, whose retry handlers wait out 429s as Slack says; `start_catch_up` runs one
`bot.reconcile.Reconciler` pass in the background, so commands are served meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError

import adapters.slack.translate as edge
from adapters.slack.context import SlackContext
from bot.domain import MessageRef, Question, WorkspaceRef
from bot.reconcile import CatchUp, Reconciler, SeenReaction, SeenReply

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

    async def reactions(self, message: MessageRef) -> Sequence[SeenReaction] | None:
        try:
            response = await self.context.client.reactions_get(
                channel=message.channel_id, timestamp=message.message_id, full=True
            )
        except SlackApiError as error:
            if error.response.get("error") in _GONE:
                return None
            raise
        seen = []
        for reaction in (response.get("message") or {}).get("reactions") or []:
            for user_id in reaction.get("users") or []:
                user = await self.context.user(self.workspace, str(user_id))
                seen.append(SeenReaction(user.user_id, str(reaction.get("name")), user.is_bot))
        return seen

    async def replies(self, question: Question) -> Sequence[SeenReply] | None:
        if question.message is None:
            return None
        channel, parent = question.message.channel_id, question.message.message_id
        seen: list[SeenReply] = []
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
            for message in page.get("messages") or []:
                reply = await self._reply(channel, parent, message)
                if reply is not None:
                    seen.append(reply)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return seen

    async def _reply(self, channel: str, parent: str, message: dict[str, Any]) -> SeenReply | None:
        ts = str(message.get("ts", ""))
        if not ts or ts == parent:
            return None  # the question itself
        user_id = str(message.get("user") or message.get("bot_id") or "")
        author = await self.context.user(self.workspace, user_id)
        if message.get("bot_id"):
            author = replace(author, is_bot=True)
        return SeenReply(
            MessageRef(channel, ts), author, edge.unescape(str(message.get("text", "")))
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
