"""Import a community's existing Q&A threads (`qabot import slack|discord`).

Catch-up after downtime (bot/reconcile.py) and import are one mechanism with two scopes: both
read a platform through the same listing code (an adapter's `history` module) into the same
values (`SeenMessage`, `SeenEmoji`, `SeenReaction`), and turn reactions into vote rows with the
same function (`bot.reconcile.vote_rows`). Catch-up re-reads the recent questions qabot already
has; import lists whole channels and writes what they hold as new questions.

The run lists every thread of the channels first, then imports them in the order they were
asked, so new questions are numbered after the existing ones in that order. Threads are written
in small batches (`Store.import_threads`), each thread with its checkpoint in the same
transaction: a run killed midway, run again, skips the finished threads without reading them and
ends with the same board. A platform that refuses (a missing scope or permission) stops the run
with `ImportStopped`, one line naming what is missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from bot.domain import MessageRef, UserRef, WorkspaceRef
from bot.emoji_keys import normalize_emoji
from bot.errors import InvalidInput
from bot.import_rules import (
    ListedThread,
    Skip,
    accept_marks,
    answer_replies,
    asks_something,
    question_text,
    thread_tags,
)
from bot.metrics import Metrics, NoMetrics
from bot.ports import Clock, ImportedPost, ImportedThread, ImportWrite, Store
from bot.reconcile import SeenEmoji, SeenMessage, SeenReaction, vote_rows
from bot.settings import Settings
from bot.text_rules import excerpt

__all__ = [
    "ImportOptions",
    "ImportProgress",
    "ImportSource",
    "ImportStopped",
    "ImportSummary",
    "Importer",
]

log = logging.getLogger("qabot.import")

# A batch is one transaction. On SQLite it holds the one write lock while it runs, about in
# proportion to its rows (posts and vote rows): 40 keep a live vote waiting behind it a few
# milliseconds. PostgreSQL writes a batch in a fixed number of statements whatever its size.
_BATCH_THREADS = 8
_BATCH_ROWS = 40


class ImportStopped(Exception):
    """The platform refused to go on (a missing scope or permission, a channel out of reach):
    the message is one line naming what is missing."""


class ImportSource(Protocol):
    """A platform's history, as the adapter reads it (every list read to its end)."""

    workspace: WorkspaceRef

    async def threads(self, channel_id: str, *, since: datetime | None) -> Sequence[ListedThread]:
        """Every thread of the channel (a top-level message with replies, a forum thread)
        started at or after `since`."""

    async def read(self, thread: ListedThread) -> tuple[SeenMessage, Sequence[SeenMessage]]:
        """The thread's first message as it stands now, and its replies oldest first, each
        with their reactions."""

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        """Everyone who reacted with `seen.emoji` on the message."""

    async def person(self, author: UserRef) -> UserRef:
        """A listed author in full (name, bot or not)."""

    def sent_at(self, message: MessageRef) -> datetime:
        """When the message was posted (both platforms' ids carry it)."""


class ImportProgress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ImportOptions:
    channels: tuple[str, ...]
    since: datetime | None = None
    all_threads: bool = False
    dry_run: bool = False


@dataclass
class ImportSummary:
    """What a run saw and wrote; a dry run's `planned` says what it would have written."""

    threads_seen: int = 0
    questions: int = 0
    answers: int = 0
    votes: int = 0  # vote rows: one per person, emoji and post
    skipped: list[Skip] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)


class Importer:
    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        source: ImportSource,
        workspace: WorkspaceRef,
        clock: Clock,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics or NoMetrics()
        self.source = source
        self.workspace = workspace
        self.clock = clock
        self._limits = settings.limits
        self._weights = dict(settings.voting.weights)
        self._accept = normalize_emoji(settings.voting.accept_emoji)
        self._pending: list[ImportedThread] = []
        self._pending_rows = 0
        self._writing: asyncio.Future[ImportWrite] | None = None

    async def run(self, options: ImportOptions, progress: ImportProgress) -> ImportSummary:
        summary = ImportSummary()
        listed, done = await self._list(options)
        summary.threads_seen = len(listed)
        progress.start(len(listed))
        try:
            for thread in listed:
                await self._one(thread, done, options, summary)
                progress.advance()
            await self._flush(summary)
        finally:
            await self._settle(summary)  # what was read before a stop is kept
        return summary

    async def _one(
        self,
        thread: ListedThread,
        done: dict[str, set[str]],
        options: ImportOptions,
        summary: ImportSummary,
    ) -> None:
        reason = "imported before" if thread.thread_id in done[thread.channel_id] else None
        reason = reason or await self._skip_reason(thread, options)
        if reason is None:
            reason = await self._read(thread, options, summary)
        if reason is not None:
            summary.skipped.append(Skip(thread.head.message, reason))
        if len(self._pending) >= _BATCH_THREADS or self._pending_rows >= _BATCH_ROWS:
            await self._flush(summary)

    async def _list(self, options: ImportOptions) -> tuple[list[ListedThread], dict[str, set[str]]]:
        listed: list[ListedThread] = []
        done: dict[str, set[str]] = {}
        for channel in options.channels:
            done[channel] = set(await self.store.imported_threads(self.workspace, channel))
            listed += await self.source.threads(channel, since=options.since)
            log.info("import: %d threads listed in %s", len(listed), channel)
        listed.sort(key=lambda t: (t.asked_at, t.channel_id, t.thread_id))
        return listed, done

    async def _skip_reason(self, thread: ListedThread, options: ImportOptions) -> str | None:
        if thread.head.author.is_bot:
            return "posted by a bot"
        if not asks_something(thread, all_threads=options.all_threads):
            return "asks nothing (no question mark; --all-threads imports it)"
        if await self.store.get_post_by_message(self.workspace, thread.head.message) is not None:
            return "already on the board"
        return None

    async def _read(
        self, thread: ListedThread, options: ImportOptions, summary: ImportSummary
    ) -> str | None:
        """Read the thread and queue it for writing (or plan it, on a dry run); a reason if not."""
        head, replies = await self.source.read(thread)
        thread = replace(thread, head=head)
        if head.author.is_bot:
            return "posted by a bot"
        try:
            text = question_text(thread, max_chars=self._limits.max_text_chars)
        except InvalidInput as error:
            return f"the question is not accepted: {error}"
        imported = await self._thread(thread, text, replies)
        if options.dry_run:
            self._plan(imported, summary)
        else:
            self._pending.append(imported)
            self._pending_rows += 1 + len(imported.answers) + _vote_count(imported)
        return None

    async def _thread(
        self, thread: ListedThread, text: str, replies: Sequence[SeenMessage]
    ) -> ImportedThread:
        head = thread.head
        asker = head.author.user_id
        kept = answer_replies(thread, replies, max_chars=self._limits.max_text_chars)
        answers = [await self._post(reply, reply.text) for reply in kept]
        return ImportedThread(
            channel_id=thread.channel_id,
            thread_id=thread.thread_id,
            thread_key=thread.thread_key,
            question=await self._post(head, text),
            tags=thread_tags(thread, max_tags=self._limits.max_tags),
            answers=tuple(answers),
            accepted=await self._accepted(asker, kept),
        )

    async def _post(self, message: SeenMessage, text: str) -> ImportedPost:
        author = await self.source.person(message.author)
        reactors: list[SeenReaction] = []
        for seen in message.reactions:
            if normalize_emoji(seen.emoji) in self._weights:
                reactors += await self.source.reactors(message.message, seen)
        return ImportedPost(
            message=message.message,
            author_id=author.user_id,
            author_name=author.name,
            text=text,
            created_at=self.source.sent_at(message.message),
            votes=tuple(vote_rows(self._weights, author.user_id, reactors)),
        )

    async def _accepted(self, asker: str, answers: Sequence[SeenMessage]) -> int | None:
        """The first answer in thread order that the asker marked with the accept emoji."""
        for index, answer in enumerate(answers):
            for seen in accept_marks(answer, self._accept):
                people = await self.source.reactors(answer.message, seen)
                if any(person.user_id == asker for person in people):
                    return index
        return None

    def _plan(self, thread: ImportedThread, summary: ImportSummary) -> None:
        summary.questions += 1
        summary.answers += len(thread.answers)
        summary.votes += _vote_count(thread)
        summary.planned.append(
            f"{thread.channel_id}/{thread.thread_id}: {excerpt(thread.question.text, 80)!r}, "
            f"{len(thread.answers)} answers, {_vote_count(thread)} votes"
        )

    async def _flush(self, summary: ImportSummary) -> None:
        """Start writing the threads read so far while the next ones are read; batches are
        written one after the other, in the order asked."""
        if not self._pending:
            return
        await self._settle(summary)
        batch, self._pending, self._pending_rows = self._pending, [], 0
        write = self.store.import_threads(self.workspace, batch, at=self.clock())
        self._writing = asyncio.ensure_future(write)
        self._writing.add_done_callback(self._count)

    def _count(self, write: asyncio.Future[ImportWrite]) -> None:
        """Count a batch's messages once it has committed (not when the run next looks)."""
        if not write.cancelled() and write.exception() is None:
            written = write.result()
            self.metrics.import_messages(written.questions + written.answers)

    async def _settle(self, summary: ImportSummary) -> None:
        if self._writing is None:
            return
        written, self._writing = await self._writing, None
        summary.questions += written.questions
        summary.answers += written.answers
        summary.votes += written.votes


def _vote_count(thread: ImportedThread) -> int:
    posts = (thread.question, *thread.answers)
    return sum(len(post.votes) for post in posts)
