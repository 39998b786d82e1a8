"""Catch-up after downtime: make recent questions agree with what the platform shows now.

Neither Slack nor Discord replays the reactions and thread replies that happened while the bot was
down. At start-up and after every reconnect an adapter runs `Reconciler.run` in the background
with a `PlatformView` of its platform; for each question of the last `[reconcile] days` days it

- replaces the vote rows of the question and of each answer with the reactions shown now
  (`Store.replace_votes`, one transaction per post), so votes cast meanwhile count and removed
  ones stop counting;
- turns thread replies it never saw into answers (idempotent: a reply already stored is found by
  its message), and hides answers whose message is gone;
- hides a question whose message is gone.

Platform calls go through the adapter's clients, which wait out rate limits as told; one post that
fails is logged and skipped, never stopping the rest. Progress goes to the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.domain import MessageRef, Post, Question, UserRef, WorkspaceRef
from bot.emoji_keys import normalize_emoji
from bot.errors import QAError
from bot.ports import Clock, VoteRow
from bot.service import QAService, utc_now

__all__ = ["CatchUp", "PlatformView", "Reconciler", "SeenReaction", "SeenReply"]

log = logging.getLogger("qabot.reconcile")

_PROGRESS_EVERY = 25
_MAX_QUESTIONS = 5000


@dataclass(frozen=True, slots=True)
class SeenReaction:
    """One person's reaction on a message, as the platform shows it now."""

    user_id: str
    emoji: str
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class SeenReply:
    """A message in a question's thread (the bot's own posts too)."""

    message: MessageRef
    author: UserRef
    text: str


class PlatformView(Protocol):
    async def reactions(self, message: MessageRef) -> Sequence[SeenReaction] | None:
        """Every reaction on the message now; None only when the message certainly is gone."""

    async def replies(self, question: Question) -> Sequence[SeenReply] | None:
        """Every message in the question's thread now (not the question itself); None when the
        question has no thread to read."""


@dataclass
class CatchUp:
    """What one run changed, for the log and the tests."""

    questions: int = 0
    posts_recounted: int = 0
    answers_added: int = 0
    posts_hidden: int = 0
    failures: int = 0
    recounted: list[str] = field(default_factory=list)  # post ids, e.g. "A3"


class Reconciler:
    def __init__(
        self,
        *,
        service: QAService,
        view: PlatformView,
        days: int,
        clock: Clock = utc_now,
        pause: float = 0.0,
    ) -> None:
        self.service = service
        self.view = view
        self.days = days
        self.clock = clock
        self.pause = pause  # seconds between questions: spreads platform calls out
        self._weights = dict(service.settings.voting.weights)

    async def run(self, workspace: WorkspaceRef) -> CatchUp:
        done = CatchUp()
        if self.days <= 0:
            return done
        since = self.clock() - timedelta(days=self.days)
        store = self.service.store
        questions = await store.recent_questions(workspace, since=since, limit=_MAX_QUESTIONS)
        where = f"{workspace.platform}/{workspace.workspace_id}"
        log.info(
            "catch-up in %s: %d questions of the last %d days", where, len(questions), self.days
        )
        for index, question in enumerate(questions, start=1):
            try:
                await self._question(question, done)
            except Exception as error:  # one post failing must not stop the others
                done.failures += 1
                log.warning("catch-up of %s failed: %r", question.post_id, error)
            done.questions = index
            if index % _PROGRESS_EVERY == 0:
                log.info("catch-up in %s: %d/%d questions", where, index, len(questions))
            if self.pause:
                await asyncio.sleep(self.pause)
        log.info(
            "catch-up in %s done: %d questions, %d posts recounted, %d answers added, "
            "%d posts hidden, %d failures", where, done.questions, done.posts_recounted,
            done.answers_added, done.posts_hidden, done.failures,
        )  # fmt: skip
        return done

    async def _question(self, question: Question, done: CatchUp) -> None:
        assert question.message is not None  # recent_questions returns posted ones only
        if not await self._votes(question, done):
            return
        replies = await self.view.replies(question)
        if replies is not None and question.thread_key is not None:
            await self._replies(question, question.thread_key, replies, done)
        for answer in await self.service.store.answers_to(question.workspace, question.number):
            if answer.message is not None:
                await self._votes(answer, done)

    async def _votes(self, post: Post, done: CatchUp) -> bool:
        """Replace the post's votes with what the platform shows; False if the post is gone."""
        assert post.message is not None
        seen = await self.view.reactions(post.message)
        if seen is None:
            await self.service.delete_message(post.workspace, post.message)
            done.posts_hidden += 1
            return False
        rows = self.vote_rows(post, seen)
        tally = await self.service.store.replace_votes(
            post.workspace, post.post_id, rows, at=self.clock()
        )
        if tally.changed:
            done.posts_recounted += 1
            done.recounted.append(str(post.post_id))
            log.info("catch-up: %s now %+d (↑%d ↓%d)", post.post_id, tally.ups - tally.downs,
                     tally.ups, tally.downs)  # fmt: skip
        return True

    def vote_rows(self, post: Post, seen: Sequence[SeenReaction]) -> list[VoteRow]:
        """The reactions that are votes, by the rules live events follow (DESIGN.md rule 4)."""
        rows: dict[tuple[str, str], VoteRow] = {}
        for reaction in seen:
            key = normalize_emoji(reaction.emoji)
            weight = self._weights.get(key)
            if weight is None or reaction.is_bot or reaction.user_id == post.author_id:
                continue
            rows[(reaction.user_id, key)] = VoteRow(reaction.user_id, key, weight)
        return list(rows.values())

    async def _replies(
        self, question: Question, thread_key: str, replies: Sequence[SeenReply], done: CatchUp
    ) -> None:
        present = {reply.message for reply in replies}
        store = self.service.store
        for reply in replies:
            if reply.author.is_bot or not reply.text.strip():
                continue  # blank: a reply whose text the bot may not read (Discord's intent)
            if await store.get_post_by_message(question.workspace, reply.message) is not None:
                continue  # seen live: nothing to catch up (edits are not replayed either way)
            try:
                answer = await self.service.answer_in_thread(
                    author=reply.author, thread_key=thread_key, text=reply.text,
                    message=reply.message,
                )  # fmt: skip
            except QAError as error:  # too long, control characters: as live, not an answer
                log.info("catch-up: reply %s not an answer: %s", reply.message, error)
                continue
            if answer is not None:
                done.answers_added += 1
        for answer in await self.service.store.answers_to(question.workspace, question.number):
            if answer.message is not None and answer.message not in present:
                await self.service.delete_message(question.workspace, answer.message)
                done.posts_hidden += 1
