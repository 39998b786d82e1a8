"""Event listeners: thread replies (answers), their edits and deletions, and reactions (votes).

Slack redelivers an event it thinks was missed, with the same `event_id`; ids already handled
here are skipped, and the store's writes are idempotent anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck

import adapters.slack.translate as edge
from adapters.slack.context import SlackContext
from adapters.slack.state import RecentEvents
from bot.domain import WorkspaceRef
from bot.emoji_keys import normalize_emoji
from bot.errors import NotAllowed, NotFound, QAError, RateLimited, VoteIgnored
from bot.log_format import log_context

__all__ = ["SlackEvents"]

log = logging.getLogger("qabot.slack")


class SlackEvents:
    def __init__(self, context: SlackContext) -> None:
        self.context = context
        self.recent = RecentEvents()
        # Emoji a reaction can change anything with (a vote weight, or accepting an answer).
        voting = context.settings.voting
        self._vote_keys = {normalize_emoji(key) for key in (*voting.weights, voting.accept_emoji)}

    async def _event(
        self,
        body: dict[str, Any],
        workspace: WorkspaceRef,
        what: str,
        work: Callable[[], Awaitable[None]],
        *,
        is_vote: bool = False,
    ) -> None:
        event_id = str(body.get("event_id", ""))
        with log_context(platform="slack", workspace=workspace.workspace_id, event_id=event_id):
            await self._claimed(event_id, what, work, is_vote=is_vote)

    async def _claimed(
        self, event_id: str, what: str, work: Callable[[], Awaitable[None]], *, is_vote: bool
    ) -> None:
        # A retry may be the only copy (after an outage), so only ids already handled here are
        # skipped, and an id whose handling failed is released for the next retry.
        if event_id and not self.recent.claim(event_id):
            self._skip(what, event_id, is_vote=is_vote)
            return

        async def unless_claimed_elsewhere() -> None:
            # Inside `run`, so a graceful stop (and `settle`) waits for the claim too.
            if event_id and not await self._claim(event_id):
                self._skip(what, event_id, is_vote=is_vote)
                return
            await work()

        if not await self.context.run(what, unless_claimed_elsewhere()) and event_id:
            self.recent.release(event_id)
            await self._release(event_id)

    def _skip(self, what: str, event_id: str, *, is_vote: bool) -> None:
        log.info("%s %s already handled; skipping the redelivery", what, event_id)
        if is_vote:
            self.context.service.metrics.vote("slack", "ignored", "duplicate")

    async def _claim(self, event_id: str) -> bool:
        """Claim the id in the store too: another process sharing it may have had it first."""
        service = self.context.service
        try:
            return await service.store.claim_event("slack", event_id, at=service.clock())
        except Exception as error:  # handle it here anyway: the store's writes are idempotent
            log.warning("could not claim event %s: %s", event_id, type(error).__name__)
            return True

    async def _release(self, event_id: str) -> None:
        try:
            await self.context.service.store.release_event("slack", event_id)
        except Exception as error:
            log.warning("could not release event %s: %s", event_id, type(error).__name__)

    # ---------------------------------------------------------------- messages

    async def on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        parsed = edge.parse_message_event(event)
        if parsed is None:  # chatter outside question threads, the bot's own posts, odd shapes
            log.debug(
                "message event %s ignored: not a reply, edit or deletion", body.get("event_id")
            )
            return
        workspace = edge.workspace_of(body)
        await self._event(
            body, workspace, type(parsed).__name__, lambda: self._message(workspace, parsed)
        )

    async def _message(
        self,
        workspace: WorkspaceRef,
        parsed: edge.ThreadReply | edge.MessageEdited | edge.MessageDeleted,
    ) -> None:
        service = self.context.service
        if isinstance(parsed, edge.MessageEdited):
            await service.edit_message(workspace, parsed.message, parsed.text)
        elif isinstance(parsed, edge.MessageDeleted):
            await service.delete_message(workspace, parsed.message)
        else:
            await self._thread_reply(workspace, parsed)

    async def _thread_reply(self, workspace: WorkspaceRef, reply: edge.ThreadReply) -> None:
        context = self.context
        if await context.service.question_in_thread(workspace, reply.thread_key) is None:
            return  # chatter in another thread: nobody to look up (users.info)
        author = await context.user(workspace, reply.user_id)
        thread_ts = reply.thread_key.split("/", 1)[1]
        tell = context.teller(reply.message.channel_id, reply.user_id, thread_ts=thread_ts)
        try:
            await context.service.answer_in_thread(
                author=author, thread_key=reply.thread_key, text=reply.text, message=reply.message
            )
        except QAError as error:  # e.g. too long: only the author hears why it did not count
            await context.quietly(tell(error.message))

    # ---------------------------------------------------------------- reactions

    async def on_reaction(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        reaction = edge.parse_reaction(event)
        if reaction is None:
            log.info("reaction event %s ignored: not on a message", body.get("event_id"))
            return
        if normalize_emoji(reaction.emoji) not in self._vote_keys:
            # Most reactions are not votes: no users.info call, no store lookup.
            if reaction.added:
                self.context.service.metrics.vote("slack", "ignored", "unmapped")
            return
        workspace = edge.workspace_of(body)
        await self._event(
            body,
            workspace,
            "reaction",
            lambda: self._reaction(workspace, reaction),
            is_vote=reaction.added,
        )

    async def _reaction(self, workspace: WorkspaceRef, reaction: edge.Reaction) -> None:
        # A voting emoji on an ordinary message is the common case: find the post before asking
        # Slack who the voter is (users.info is rate-limited, and needed only for a vote).
        context, service = self.context, self.context.service
        subject = await service.vote_subject(workspace, reaction.message)
        if subject is None:
            return
        voter = await context.user(workspace, reaction.user_id)
        vote = service.react if reaction.added else service.unreact
        try:
            outcome = await vote(voter=voter, target=subject, emoji=reaction.emoji)
        except (VoteIgnored, NotFound):
            return  # not a vote (own post, a bot, other emoji) or not a Q&A message: quietly
        except (RateLimited, NotAllowed) as error:  # the reactor alone hears why nothing changed
            log.info("reaction by %s not counted: %s", reaction.user_id, type(error).__name__)
            tell = context.teller(reaction.message.channel_id, reaction.user_id)
            await context.quietly(tell(error.message))
            return
        log.info("reaction on %s: %s", outcome.post_id, outcome.status.value)
