"""The ports the core needs, owned by the core: the Store and the Clock.

A store enforces the invariants the domain relies on (unique keys, idempotent vote writes, counts
recomputed from vote rows in the same transaction); the service only decides what to ask for.
Every method is scoped to one workspace: an id from another workspace is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import (
    Answer,
    MessageRef,
    Post,
    PostId,
    Question,
    RankedAnswer,
    SearchHit,
    TopQuery,
    VoteSubject,
    WorkspaceRef,
)
from bot.replies import Leader, PersonalData
from bot.search_query import SearchQuery

__all__ = [
    "AskCheck",
    "BatchReport",
    "Clock",
    "ImportWrite",
    "ImportedPost",
    "ImportedThread",
    "NewAnswer",
    "NewQuestion",
    "Refusal",
    "Refused",
    "SimilarCandidate",
    "Store",
    "VoteCheck",
    "VoteRow",
    "VoteTally",
    "WebFilter",
    "WebNames",
    "WebThread",
]

Clock = Callable[[], datetime]
# Told of each committed write batch: how many operations it held and how long it took (s).
BatchReport = Callable[[int, float], None]


@dataclass(frozen=True, slots=True)
class NewQuestion:
    workspace: WorkspaceRef
    channel_id: str
    asker_id: str
    asker_name: str
    text: str
    tags: tuple[str, ...]
    anonymous: bool
    created_at: datetime
    channel_is_private: bool = False


@dataclass(frozen=True, slots=True)
class NewAnswer:
    workspace: WorkspaceRef
    question_number: int
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    message: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class WebFilter:
    """Which published questions a web page lists: in `channels` (None: every public channel),
    with `tag`, solved (an accepted answer) or not, answered or not; None means either."""

    channels: Collection[str] | None = None
    tag: str | None = None
    solved: bool | None = None
    answered: bool | None = None


@dataclass(frozen=True, slots=True)
class WebNames:
    """What the web view names people by: the headline of each person who has one, and the
    `/qa web names` choice of each who made one."""

    headlines: Mapping[str, str]
    choices: Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class WebThread:
    """A question's page as one read: the question, its live answers in /top's order, the
    name its channel was last seen with (None: never seen), the channels its kept list of
    similar questions was made for (None: none is kept; bot/similar_lists.py), the questions
    of that list the web view shows, and the names of everyone the page shows: the answers'
    authors and the askers, never an anonymous one."""

    question: Question
    answers: Sequence[RankedAnswer]
    channel_name: str | None
    similar_made_for: str | None
    similar: Sequence[Question]
    names: WebNames


@dataclass(frozen=True, slots=True)
class SimilarCandidate:
    """A question the web view's similar search found: only what ranking it by its words
    needs (bot/similarity.py); the few that are listed are read in full afterwards."""

    number: int
    text: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AskCheck:
    """The ask limit for a store that shares limits to apply within the question's write: at
    most `per_hour` questions by the asker in the hour up to `at`."""

    per_hour: int
    at: datetime


@dataclass(frozen=True, slots=True)
class VoteCheck:
    """The vote limits for a store that shares limits to apply within the vote's write, as of
    `at`: at most `per_minute` vote changes by the voter in a minute, and at most `per_post` on
    the one post within `cooldown`; 0 switches one off. Only a write that changes a vote counts."""

    per_minute: int
    per_post: int
    cooldown: timedelta
    at: datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    """Which limit (its setting's name, `votes_per_minute`) refused an action, and how long until
    the person may act again."""

    limit: str
    wait: timedelta


class Refused(Exception):
    """A store's write refused by its check: nothing was written."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.limit)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class VoteTally:
    """A post's counts after a vote write, and whether the write changed any vote row."""

    ups: int
    downs: int
    changed: bool
    voter_net: int | None = None  # the voter's net weight on the post after the write, if known


@dataclass(frozen=True, slots=True)
class VoteRow:
    """One reaction that counts, as a platform shows it now: catch-up replaces a post's rows."""

    voter_id: str
    emoji: str
    weight: int


@dataclass(frozen=True, slots=True)
class ImportedPost:
    """A message from a community's history, kept with its original author, text and time, and
    the reactions on it that are votes (by the live rules)."""

    message: MessageRef
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    votes: tuple[VoteRow, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedThread:
    """One platform thread turned into a question with its answers (`qabot import`).
    `thread_id` names the thread in its channel for the import checkpoint; `accepted` is the
    index in `answers` of the one the asker accepted."""

    channel_id: str
    thread_id: str
    thread_key: str
    question: ImportedPost
    tags: tuple[str, ...]
    answers: tuple[ImportedPost, ...]
    accepted: int | None = None


@dataclass(frozen=True, slots=True)
class ImportWrite:
    """What an import batch wrote: new questions, answers and vote rows."""

    questions: int = 0
    answers: int = 0
    votes: int = 0


class Store(Protocol):
    async def close(self) -> None: ...

    @property
    def shares_limits(self) -> bool:
        """True when the store keeps the abuse limits itself, in its writes, so that they hold
        across every process sharing it: the writes are then given an `AskCheck` or a
        `VoteCheck` and raise `Refused`. SQLite serves one process, whose own memory keeps the
        limits (bot/limits.py): False, and its writes are never given a check."""
        ...

    async def claim_event(self, platform: str, event_id: str, *, at: datetime) -> bool:
        """True for the one caller, across every process sharing the store, that first claims
        this platform event id; kept at least an hour. SQLite serves one process, whose own
        memory dedupes: it answers True and keeps nothing."""
        ...

    async def release_event(self, platform: str, event_id: str) -> None:
        """Handling a claimed event failed: let a redelivery claim it again."""
        ...

    def observe_batches(self, report: BatchReport) -> None:
        """Call `report` after every batched write transaction (SQLite: every write;
        PostgreSQL: vote batches)."""
        ...

    async def add_question(self, new: NewQuestion, *, check: AskCheck | None = None) -> Question:
        """Store a question; `Refused` (and nothing stored) if `check` refuses it."""

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        """Remember the platform message that shows a question, and the thread its answers use."""

    async def add_answer(self, new: NewAnswer) -> Answer:
        """Store an answer; the same platform message delivered twice yields the first answer."""

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        """Remember the message that shows an answer the bot posted on someone's behalf."""

    async def get_post(self, workspace: WorkspaceRef, post_id: PostId) -> Post | None: ...

    async def get_post_by_message(
        self, workspace: WorkspaceRef, message: MessageRef
    ) -> Post | None: ...

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None: ...

    async def vote_subject(
        self, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> VoteSubject | None:
        """The live post a reaction is on (by public id or platform message), or None."""
        ...

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool: ...

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        """Hide a post (and, for a question, its answers) with their votes; False if unknown."""

    async def add_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        weight: int,
        at: datetime,
        check: VoteCheck | None = None,
    ) -> VoteTally:
        """Store one vote row (idempotent) and recount the post. A person who opted out is not
        stored: `changed` is False, as for a row already there. `Refused` (and nothing
        written) if `check` refuses the change."""

    async def remove_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        check: VoteCheck | None = None,
    ) -> VoteTally: ...

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        """Drop every vote row on a post (or only those of one emoji): a platform cleared them."""

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None: ...

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]: ...

    async def search(
        self, workspace: WorkspaceRef, query: SearchQuery, *, limit: int
    ) -> Sequence[SearchHit]:
        """Posts with every word of `query`, each stemmed in the store's search language (the
        last word also as a prefix), and every tag; the best match first, then the higher net
        score; each with a snippet around its matches."""

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        """Drop the vote rows of people who opted out, then rebuild every cached count from the
        vote rows; return how many posts changed."""

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        """Claim work done once per community and period (`digest`, `2026-W48`): True for the
        one caller, across every process sharing the store, that claimed it first."""

    # Catch-up after downtime (bot/reconcile.py) -----------------------------------------------

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        """Live questions asked since `since` that have a platform message, newest first."""

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        """The live answers to one question, in number order."""

    async def vote_watermark(self) -> int:
        """A mark in the store's order of vote changes, taken before catch-up reads a platform:
        every vote row added, and every vote removed, after this call is newer than the mark."""

    async def held_votes(
        self, workspace: WorkspaceRef, post_ids: Sequence[PostId]
    ) -> Mapping[PostId, Mapping[str, int]]:
        """How many vote rows each post holds, per emoji key; a post with none is absent."""

    async def replace_votes(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        votes: Sequence[VoteRow],
        *,
        emoji: Collection[str],
        since: int,
        at: datetime,
    ) -> VoteTally:
        """Make a live post's rows of the `emoji` keys agree with `votes`, what the platform
        showed after the mark `since` (from `vote_watermark`), and recount the post, in one
        transaction. The newer observation wins: a row written after the mark stays even if
        `votes` lacks it, a vote removed after the mark is not added back, and a person who
        opted out (`forget_person`) is never added. Rows already there keep their time. `changed`
        says whether any row was added or dropped; an unknown or removed post changes nothing."""

    # Surfacing (bot/surfacing.py) -------------------------------------------------------------

    async def leaderboard(
        self, workspace: WorkspaceRef, *, since: datetime | None, limit: int
    ) -> Sequence[Leader]:
        """Answer authors by the net votes their live answers received since `since` (a
        person's vote counts when their latest reaction on the answer is that recent), then by
        accepted answers written since then. Removed answers and forgotten people count nothing."""

    async def unanswered(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        channel_id: str,
        limit: int,
        only_channel: bool = False,
    ) -> Sequence[Question]:
        """Live questions asked since `since` with no live answer, oldest first; questions from
        private channels only when asked in `channel_id`; with `only_channel`, only those."""

    async def similar_candidates(
        self, workspace: WorkspaceRef, words: Sequence[str], *, channel_id: str, limit: int
    ) -> Sequence[Question]:
        """Live questions containing a word whose stem starts with the stem of any of `words`
        (plain lower-case words; stemmed as search stems them), best full-text match first;
        private channels as in `unanswered`."""

    async def known_tags(
        self, workspace: WorkspaceRef, *, prefix: str, limit: int
    ) -> Sequence[str]:
        """Tags of live questions starting with `prefix`, most used first."""

    async def personal_data(self, workspace: WorkspaceRef, user_id: str) -> PersonalData:
        """Every question, answer (removed ones too) and vote row of one person."""

    async def forget_person(
        self, workspace: WorkspaceRef, user_id: str, *, replacement_id: str, replacement_name: str
    ) -> tuple[int, int]:
        """Delete the person's votes (recounting the posts they were on), make their posts
        anonymous under `replacement_*`, and record their opt-out, in one transaction:
        (votes removed, posts changed). While the opt-out stands no vote of theirs is stored,
        whichever path it comes by (live, catch-up, copy-store), and `recount` drops any."""

    async def rejoin(self, workspace: WorkspaceRef, user_id: str) -> bool:
        """Lift the person's opt-out, for what they do from now on; False if there was none."""

    async def opted_out(self, workspace: WorkspaceRef, user_id: str) -> bool:
        """Whether the person asked to be forgotten and has not rejoined."""

    # Headlines (bot/headlines.py) ---------------------------------------------------------------

    async def set_headline(
        self, workspace: WorkspaceRef, user_id: str, headline: str | None
    ) -> bool:
        """Set the person's headline (1 to 80 characters), or delete it with None; False when
        there was none to delete. `forget_person` deletes it too."""

    async def headlines(
        self, workspace: WorkspaceRef, user_ids: Collection[str]
    ) -> Mapping[str, str]:
        """The headline of each of these people who has one."""

    # The web view (adapters/web) ----------------------------------------------------------------

    async def web_question(self, workspace: WorkspaceRef, number: int) -> Question | None:
        """A live question from a public channel, unless hidden from the web; else None."""

    async def web_questions(
        self, workspace: WorkspaceRef, *, where: WebFilter, since: datetime | None, limit: int
    ) -> Sequence[Question]:
        """Live questions from public channels, not hidden from the web, asked since `since`
        and matching `where`, newest first."""

    async def web_sitemap(
        self, workspace: WorkspaceRef, *, channels: Collection[str] | None, limit: int
    ) -> Sequence[tuple[Question, datetime]]:
        """The questions web_questions lists (in `channels`; None: every public channel), newest
        first, each with the time its page last gained a post: its newest live answer's
        creation, else its own."""

    async def set_channel_name(self, workspace: WorkspaceRef, channel_id: str, name: str) -> bool:
        """Record the name a channel has now (1 to 100 characters); False, and nothing
        written, when it had that name already."""

    async def channel_names(
        self, workspace: WorkspaceRef, channel_ids: Collection[str]
    ) -> Mapping[str, str]:
        """The recorded name of each of these channels that has one."""

    def web_reads(self) -> AbstractAsyncContextManager[None]:
        """One page's reads, as one stretch: a store with a connection pool holds one
        connection for all of them (the web view's reads, in the task that entered it)."""

    async def web_similar(
        self,
        workspace: WorkspaceRef,
        words: Sequence[str],
        *,
        channels: Collection[str] | None,
        limit: int,
    ) -> Sequence[SimilarCandidate]:
        """Questions the web view may show (as web_questions) in these channels (None: any)
        sharing at least two of `words` (any one, when fewer than three are given), each word
        matched as the full-text index stems it, never as a prefix; the best text match first."""

    async def web_thread(
        self, workspace: WorkspaceRef, number: int, *, answers: int, similar: int
    ) -> WebThread | None:
        """The question the web view may show (as web_question) with its first `answers` live
        answers in /top's order, its channel's name, the first `similar` questions of its kept
        list (keep_similar) that the web view may show (the most similar first, of equal ones
        the newest) and the names of their people, in one read; None as web_question."""

    async def keep_similar(
        self,
        workspace: WorkspaceRef,
        number: int,
        similar: Sequence[tuple[int, float]],
        *,
        made_for: str,
        keep: int,
    ) -> None:
        """Keep `similar` (question numbers, each with its similarity) as question `number`'s
        list, made for the published channels `made_for` names, in place of any list it had;
        and put `number` in the list of each of them made for the same channels, which then
        keeps its `keep` most similar."""

    async def set_web_hidden(self, workspace: WorkspaceRef, number: int, hidden: bool) -> bool:
        """Hide a question from the web view, or show it again; False if nothing changed."""

    async def web_hidden(self, workspace: WorkspaceRef) -> Collection[int]:
        """The numbers of the questions hidden from the web view."""

    async def set_web_names(self, workspace: WorkspaceRef, user_id: str, shown: bool) -> None:
        """The person's choice over `[web] names`; `forget_person` deletes it."""

    async def web_names(self, workspace: WorkspaceRef, user_ids: Collection[str]) -> WebNames:
        """These people's headlines and choices, read together: every page names people."""

    # Import of a community's history (bot/importing.py) ---------------------------------------

    async def import_threads(
        self, workspace: WorkspaceRef, threads: Sequence[ImportedThread], *, at: datetime
    ) -> ImportWrite:
        """Write threads read from a platform, in order, in one transaction, each with its
        checkpoint: questions numbered after the existing ones, their answers, vote rows and
        acceptance. A message the store already holds as a post, or a thread already
        checkpointed, is not written again; a person who opted out gets no vote row and their
        posts show `FORGOTTEN_NAME`. Returns what was written."""

    async def imported_threads(self, workspace: WorkspaceRef, channel_id: str) -> Collection[str]:
        """The thread ids of a channel whose import is finished."""
