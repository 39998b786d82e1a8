"""Platform-neutral reply values for surfacing; each adapter renders them (text, Block Kit, embeds).

They carry only what may be shown: an anonymous question's asker is never in any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import Answer, PostId, Question, RankedAnswer, VoteOutcome, VoteStatus, Window

__all__ = [
    "FORGOTTEN_ID",
    "FORGOTTEN_NAME",
    "Digest",
    "ForgetPrompt",
    "Forgotten",
    "HotAnswer",
    "Leader",
    "Leaderboard",
    "PersonalData",
    "PersonalExport",
    "Rejoined",
    "SimilarQuestion",
    "SimilarQuestions",
    "Unanswered",
    "VoteRecord",
    "accepted_sentence",
    "forgotten_sentence",
    "rejoined_sentence",
    "removed_sentence",
    "unaccepted_sentence",
    "vote_sentence",
]

# What a forgotten person's posts say instead of them: no platform id looks like this.
FORGOTTEN_ID = "(forgotten)"
FORGOTTEN_NAME = "Anonymous"


@dataclass(frozen=True, slots=True)
class Leader:
    """One person on the leaderboard: votes their answers received, and answers accepted."""

    user_id: str
    name: str
    ups: int
    downs: int
    accepted: int

    @property
    def net(self) -> int:
        return self.ups - self.downs


@dataclass(frozen=True, slots=True)
class Leaderboard:
    window: Window
    leaders: Sequence[Leader]


@dataclass(frozen=True, slots=True)
class Unanswered:
    window: Window
    questions: Sequence[Question]


@dataclass(frozen=True, slots=True)
class SimilarQuestion:
    question: Question
    similarity: float  # 0..1, cosine of the two questions' word stems


@dataclass(frozen=True, slots=True)
class SimilarQuestions:
    """Posted in a new question's thread: earlier questions that look like it."""

    question: Question
    similar: Sequence[SimilarQuestion]


@dataclass(frozen=True, slots=True)
class HotAnswer:
    """Said once in a question's thread when one of its answers reaches the hot score."""

    answer: Answer
    question: Question
    threshold: int


@dataclass(frozen=True, slots=True)
class Digest:
    """A channel's scheduled round-up: the best answers of the period and who still waits."""

    channel_id: str
    title: str
    top: Sequence[RankedAnswer]
    waiting: Sequence[Question]
    due_at: datetime

    @property
    def is_empty(self) -> bool:
        return not self.top and not self.waiting


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """One reaction a person made that the board counted."""

    post: str  # the public id, Q12 or A7
    emoji: str
    weight: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything the store keeps about one person in one workspace."""

    questions: Sequence[Question]
    answers: Sequence[Answer]
    votes: Sequence[VoteRecord]


@dataclass(frozen=True, slots=True)
class PersonalExport:
    """`/qa mydata`: the person's data as JSON, for them alone."""

    json_text: str
    questions: int
    answers: int
    votes: int

    @property
    def summary(self) -> str:
        """The heading every platform shows above the JSON."""
        return (
            f"Your data on this board: {self.questions} question(s), {self.answers} answer(s), "
            f"{self.votes} vote(s). Only you can see this."
        )


@dataclass(frozen=True, slots=True)
class ForgetPrompt:
    """`/qa forgetme` without confirming: what would happen, and how to confirm."""

    confirm_words: str


@dataclass(frozen=True, slots=True)
class Forgotten:
    """`/qa forgetme confirm`: how many votes went and how many posts lost their author."""

    votes_removed: int
    posts_anonymised: int


@dataclass(frozen=True, slots=True)
class Rejoined:
    """`/qa rejoin`: the person's opt-out is lifted, or there was none to lift."""

    was_forgotten: bool


# Sentences every platform says the same way, whichever way the person acted. ------------------


def accepted_sentence(answer: PostId, question: PostId) -> str:
    """An answer was accepted: by command, button or reaction alike."""
    return f"✅ {answer} is now the accepted answer to {question}."


def unaccepted_sentence(answer: PostId, question: PostId) -> str:
    return f"{answer} is no longer the accepted answer to {question}."


def forgotten_sentence(reply: Forgotten, *, rejoin: str) -> str:
    """`forgetme` done; `rejoin` is how this platform spells the command that undoes it."""
    return (
        f"Done: {reply.votes_removed} vote(s) removed, {reply.posts_anonymised} post(s) now "
        "anonymous. Nothing on this board names you any more, and your reactions do not count, "
        f"now or after a restart, until you type {rejoin}."
    )


def rejoined_sentence(reply: Rejoined) -> str:
    if not reply.was_forgotten:
        return "You had not asked to be forgotten: your reactions count as votes."
    return (
        "Welcome back: your reactions count as votes again from now on. What was made anonymous "
        "stays anonymous."
    )


def removed_sentence(post: PostId) -> str:
    """A moderator removed a post. The votes on it stop counting; each voter's own data export
    (`mydata`) still lists what they did."""
    return f"{post} is removed: it no longer shows anywhere, and votes on it no longer count."


def vote_sentence(outcome: VoteOutcome, emoji: str, *, removed: bool = False) -> str:
    """The reply to one reaction added (or, with `removed`, taken back)."""
    post = outcome.post_id
    if outcome.question is not None and outcome.status is VoteStatus.ACCEPTED:
        return accepted_sentence(post, outcome.question)
    if outcome.question is not None and outcome.status is VoteStatus.UNACCEPTED:
        return unaccepted_sentence(post, outcome.question)
    score = f"{outcome.score:+d} (↑{outcome.ups} ↓{outcome.downs})"
    if outcome.status is VoteStatus.UNCHANGED:
        nothing = "You had not reacted" if removed else "You already reacted"
        return f"{nothing} with {emoji} on {post}; nothing changed. Score {score}."
    if outcome.cancelled and not removed:
        return (
            f"Your {emoji} on {post} cancels out your earlier opposite reaction: you have no vote "
            f"on it. Score {score}."
        )
    verb = "removed from" if removed else "counted on"
    return f"{emoji} {verb} {post}. Score {score}."
