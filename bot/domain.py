"""Domain values shared by the core, the stores and the adapters.

Every value is a frozen dataclass and every platform id is a string (Slack ids, Slack `ts`
values and Discord snowflakes alike). Nothing here knows a platform library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "Answer",
    "ChannelRef",
    "MessageRef",
    "Post",
    "PostId",
    "PostKind",
    "Question",
    "RankedAnswer",
    "SearchHit",
    "SnippetPart",
    "TopQuery",
    "UserRef",
    "VoteOutcome",
    "VoteStatus",
    "VoteSubject",
    "Window",
    "WorkspaceRef",
]


@dataclass(frozen=True, slots=True)
class WorkspaceRef:
    """A Slack team, a Discord guild or a console session: the unit of isolation."""

    platform: str
    workspace_id: str


@dataclass(frozen=True, slots=True)
class UserRef:
    """Someone acting in a workspace, as the adapter saw them at that moment."""

    workspace: WorkspaceRef
    user_id: str
    display_name: str = ""
    is_bot: bool = False
    # Platform admin rights (Slack admin, Discord Manage Messages) seen by the adapter now.
    is_admin: bool = False
    role_ids: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.display_name or self.user_id


@dataclass(frozen=True, slots=True)
class ChannelRef:
    workspace: WorkspaceRef
    channel_id: str
    is_private: bool = False


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A platform message: the channel (or thread) it lives in and its id (Slack `ts`)."""

    channel_id: str
    message_id: str


class PostKind(StrEnum):
    QUESTION = "Q"
    ANSWER = "A"


_POST_ID = re.compile(r"([QqAa])([0-9]{1,18})")  # digits 0-9 only


@dataclass(frozen=True, slots=True)
class PostId:
    """The short public id users type: `Q12` or `A7`, numbered per workspace."""

    kind: PostKind
    number: int

    @classmethod
    def parse(cls, text: str) -> PostId | None:
        match = _POST_ID.fullmatch(text.strip())
        if match is None or int(match[2]) < 1:
            return None
        return cls(PostKind(match[1].upper()), int(match[2]))

    def __str__(self) -> str:
        return f"{self.kind.value}{self.number}"


@dataclass(frozen=True, slots=True)
class Question:
    workspace: WorkspaceRef
    number: int
    channel_id: str
    asker_id: str
    asker_name: str
    text: str
    tags: tuple[str, ...]
    anonymous: bool
    created_at: datetime
    message: MessageRef | None = None
    thread_key: str | None = None
    accepted_answer: int | None = None
    ups: int = 0
    downs: int = 0
    answer_count: int = 0
    removed: bool = False
    # Asked in a private channel: its posts show only in that channel.
    channel_private: bool = False
    row_id: int = field(default=0, compare=False)
    # The asker's headline, when a list shows it (bot/headlines.py); never for an anonymous one.
    asker_headline: str = ""

    @property
    def post_id(self) -> PostId:
        return PostId(PostKind.QUESTION, self.number)

    @property
    def author_id(self) -> str:
        return self.asker_id

    @property
    def shown_asker(self) -> str:
        """The asker as anyone may see them: never the person behind an anonymous question."""
        return "Anonymous" if self.anonymous else self.asker_name

    @property
    def shown_byline(self) -> str:
        """`shown_asker` with their headline, as lists show people: `alice (Staff engineer)`."""
        if self.anonymous:
            return self.shown_asker
        return _byline(self.asker_name, self.asker_headline)


@dataclass(frozen=True, slots=True)
class Answer:
    workspace: WorkspaceRef
    number: int
    question_number: int
    channel_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    message: MessageRef | None = None
    ups: int = 0
    downs: int = 0
    removed: bool = False
    row_id: int = field(default=0, compare=False)
    # The author's headline, when a list shows it (bot/headlines.py).
    author_headline: str = ""

    @property
    def post_id(self) -> PostId:
        return PostId(PostKind.ANSWER, self.number)

    @property
    def byline(self) -> str:
        """The author with their headline, as lists show people: `alice (Staff engineer)`."""
        return _byline(self.author_name, self.author_headline)

    @property
    def score(self) -> int:
        return self.ups - self.downs


Post = Question | Answer


def _byline(name: str, headline: str) -> str:
    return f"{name} ({headline})" if headline else name


@dataclass(frozen=True, slots=True)
class VoteSubject:
    """What a reaction needs to know about the live post it lands on: which post, whose it is,
    and for an answer its question. Reactions are the busiest path, so they read this instead
    of the whole post (text, counts, message, dates)."""

    workspace: WorkspaceRef
    post_id: PostId
    author_id: str
    question_number: int | None = None


class VoteStatus(StrEnum):
    COUNTED = "counted"
    UNCHANGED = "unchanged"  # the same reaction again, or removing one never seen
    ACCEPTED = "accepted"
    UNACCEPTED = "unaccepted"


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    post_id: PostId
    status: VoteStatus
    ups: int
    downs: int
    # ACCEPTED and UNACCEPTED: the question the answer belongs to.
    question: PostId | None = None
    # COUNTED: the voter's reactions on the post now cancel out (👍 and 👎), so no vote of
    # theirs counts.
    cancelled: bool = False

    @property
    def score(self) -> int:
        return self.ups - self.downs


class Window(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class TopQuery:
    """What `/top` ranks: one question, or a channel's answers in a window, optionally by tag."""

    channel_id: str | None
    window: Window = Window.WEEK
    tag: str | None = None
    question: int | None = None
    limit: int = 10


@dataclass(frozen=True, slots=True)
class RankedAnswer:
    rank: int
    answer: Answer
    question: Question
    accepted: bool
    # The answer on the web view, when it is on and publishes the question (bot/web_links.py).
    page_url: str = ""


@dataclass(frozen=True, slots=True)
class SnippetPart:
    """A run of a search hit's snippet: plain text, or words that matched the search."""

    text: str
    match: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    post: Post
    question: Question
    # The part of the post around what matched, as plain text; each adapter marks the matches.
    snippet: tuple[SnippetPart, ...] = ()
