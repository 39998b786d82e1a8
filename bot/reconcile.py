"""Catch-up after downtime: make recent questions agree with what the platform shows now.

Neither Slack nor Discord replays the reactions and thread replies that happened while the bot was
down. At start-up and after every reconnect an adapter runs `Reconciler.run` in the background
with a `PlatformView` of its platform; for each question of the last `[reconcile] days` days it

- lists the question's message and its thread once (`PlatformView.thread`): each message with its
  reactions summed per emoji, as the platforms' listings already return them;
- turns thread replies it never saw into answers (idempotent: a reply already stored is found by
  its message), and hides answers whose message is gone, and a question whose message is gone;
- compares, per post and voting emoji, how many reacted with how many vote rows the store holds,
  and reads who reacted (`PlatformView.reactors`) only where the two differ;
- writes what it read with `Store.replace_votes`, one transaction per post. The store's mark,
  taken before the listing, keeps every live change that reached qabot after it: a vote added
  while catch-up reads stays, and a vote removed meanwhile is not added back.

People who asked to be forgotten never come back as voters: the store refuses their rows on every
path. Platform calls go through the adapter's clients, which wait out rate limits as told; one
question that fails is logged and skipped, never stopping the rest. Progress goes to the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.domain import MessageRef, Post, Question, UserRef, WorkspaceRef
from bot.emoji_keys import normalize_emoji
from bot.errors import QAError
from bot.ports import Clock, VoteRow
from bot.service import QAService, utc_now

__all__ = [
    "CatchUp",
    "PlatformView",
    "Reconciler",
    "SeenEmoji",
    "SeenMessage",
    "SeenReaction",
    "SeenThread",
    "vote_rows",
]

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
class SeenEmoji:
    """One emoji on a message as a listing shows it: how many reacted with it, and the ids of
    those the listing names (all of them, or only some: `PlatformView.reactors` decides)."""

    emoji: str
    count: int
    listed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeenMessage:
    """A message in a question's thread (the bot's own posts too), with its reactions. The
    author is as the listing names them: their id, and whether the message came from a bot."""

    message: MessageRef
    author: UserRef
    text: str
    reactions: tuple[SeenEmoji, ...] = ()


@dataclass(frozen=True, slots=True)
class SeenThread:
    """A question as its platform lists it now: the reactions on the question's own message, and
    every reply in its thread (None when the question has no thread to read)."""

    question: tuple[SeenEmoji, ...]
    replies: tuple[SeenMessage, ...] | None


class PlatformView(Protocol):
    async def thread(self, question: Question) -> SeenThread | None:
        """The question's message and thread as listed now, read to the end; None only when the
        question's message certainly is gone."""

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        """Everyone who reacted with `seen.emoji` on the message now, read to the end."""

    async def person(self, author: UserRef) -> UserRef:
        """A listed author in full (name, bot or not): asked only for a reply kept as an answer."""


@dataclass
class CatchUp:
    """What one run changed and read, for the log and the tests."""

    questions: int = 0
    posts_recounted: int = 0
    answers_added: int = 0
    posts_hidden: int = 0
    failures: int = 0
    reactor_reads: int = 0  # emoji whose reactors were read because their count changed
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
            "%d posts hidden, %d reactor reads, %d failures", where, done.questions,
            done.posts_recounted, done.answers_added, done.posts_hidden, done.reactor_reads,
            done.failures,
        )  # fmt: skip
        return done

    async def _question(self, question: Question, done: CatchUp) -> None:
        assert question.message is not None  # recent_questions returns posted ones only
        store = self.service.store
        # Taken before the platform is read: what reaches the store after it is newer.
        mark = await store.vote_watermark()
        thread = await self.view.thread(question)
        if thread is None:
            await self.service.delete_message(question.workspace, question.message)
            done.posts_hidden += 1
            return
        shown: dict[MessageRef, tuple[SeenEmoji, ...]] = {question.message: thread.question}
        if thread.replies is not None and question.thread_key is not None:
            await self._replies(question, question.thread_key, thread.replies, done)
            shown.update((reply.message, reply.reactions) for reply in thread.replies)
        posts: list[Post] = [question]
        posts += await store.answers_to(question.workspace, question.number)
        held = await store.held_votes(question.workspace, [post.post_id for post in posts])
        self.service.metrics.catchup_posts(len(posts))
        for post in posts:
            reactions = None if post.message is None else shown.get(post.message)
            if reactions is not None:
                await self._votes(post, reactions, held.get(post.post_id, {}), mark, done)

    async def _votes(
        self,
        post: Post,
        reactions: Sequence[SeenEmoji],
        held: Mapping[str, int],
        mark: int,
        done: CatchUp,
    ) -> None:
        """Bring the post's votes up to date where the platform's counts differ from the store's."""
        assert post.message is not None
        by_key: dict[str, list[SeenEmoji]] = defaultdict(list)
        for seen in reactions:
            key = normalize_emoji(seen.emoji)
            if key in self._weights:
                by_key[key].append(seen)
        shown = {key: sum(seen.count for seen in group) for key, group in by_key.items()}
        stale = {key for key in shown.keys() | held.keys() if shown.get(key, 0) != held.get(key, 0)}
        if not stale:
            return
        reactors: list[SeenReaction] = []
        for key in stale:
            for seen in by_key.get(key, ()):
                reactors += await self.view.reactors(post.message, seen)
                done.reactor_reads += 1
        tally = await self.service.store.replace_votes(
            post.workspace, post.post_id, self.vote_rows(post, reactors),
            emoji=stale, since=mark, at=self.clock(),
        )  # fmt: skip
        if tally.changed:
            done.posts_recounted += 1
            done.recounted.append(str(post.post_id))
            log.info("catch-up: %s now %+d (↑%d ↓%d)", post.post_id, tally.ups - tally.downs,
                     tally.ups, tally.downs)  # fmt: skip

    def vote_rows(self, post: Post, seen: Sequence[SeenReaction]) -> list[VoteRow]:
        """The reactions that are votes, by the rules live events follow (DESIGN.md rule 4)."""
        return vote_rows(self._weights, post.author_id, seen)

    async def _replies(
        self, question: Question, thread_key: str, replies: Sequence[SeenMessage], done: CatchUp
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
                    author=await self.view.person(reply.author), thread_key=thread_key,
                    text=reply.text,
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


def vote_rows(
    weights: Mapping[str, int], author_id: str, seen: Sequence[SeenReaction]
) -> list[VoteRow]:
    """The reactions on a post of `author_id` that are votes, by the rules live events follow
    (DESIGN.md rule 4): mapped emoji only, one row per person and emoji key, never the
    author's own nor a bot's."""
    rows: dict[tuple[str, str], VoteRow] = {}
    for reaction in seen:
        key = normalize_emoji(reaction.emoji)
        weight = weights.get(key)
        if weight is None or reaction.is_bot or reaction.user_id == author_id:
            continue
        rows[(reaction.user_id, key)] = VoteRow(reaction.user_id, key, weight)
    return list(rows.values())
