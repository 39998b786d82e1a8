"""Slack's side of catch-up after downtime: what a question's message and thread show now.

`SlackView.thread` lists the question and its replies with `conversations.replies` (paged), whose
messages carry their reactions with counts and the users Slack chose to name; only when an
emoji's count changed and its users are not all named does `reactors` read the message's
`reactions.get` (once per message and pass). The listing is adapters/slack/history.py's, which
`qabot import` reads with too; its calls go through the context's Web API client, whose retry
handlers wait out 429s as Slack says; `start_catch_up` runs one `bot.reconcile.Reconciler`
pass in the background, so commands are served meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError

from adapters.slack.context import SlackContext
from adapters.slack.history import SlackHistory, reactions
from bot.domain import MessageRef, Question, UserRef, WorkspaceRef
from bot.reconcile import CatchUp, Reconciler, SeenEmoji, SeenReaction, SeenThread

__all__ = ["SlackView", "start_catch_up"]

log = logging.getLogger("qabot.slack")

# The message (or its thread) certainly no longer exists; any other error is a failure to retry
# at the next catch-up, never a reason to hide a post.
_GONE = {"message_not_found", "thread_not_found"}


class SlackView:
    def __init__(self, context: SlackContext, workspace: WorkspaceRef) -> None:
        self.context = context
        self.workspace = workspace
        self.history = SlackHistory(context.client, context.users, workspace)

    async def thread(self, question: Question) -> SeenThread | None:
        assert question.message is not None
        channel, parent = question.message.channel_id, question.message.message_id
        try:
            listed = await self.history.thread(channel, parent)
        except SlackApiError as error:
            if error.response.get("error") in _GONE:
                return None
            raise
        head = next((m for m in listed if str(m.get("ts", "")) == parent), None)
        if head is None or head.get("subtype") == "tombstone":
            return None  # the question's message was deleted (a tombstone keeps its replies)
        replies = tuple(
            self.history.seen(channel, message) for message in listed if message is not head
        )
        return SeenThread(reactions(head), replies)

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        return await self.history.reactors(message, seen)

    async def person(self, author: UserRef) -> UserRef:
        if author.is_bot:
            return author
        return await self.context.user(self.workspace, author.user_id)


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
