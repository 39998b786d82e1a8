"""Rows to domain values: the column names are the same in every dialect's schema, so both
stores map their rows with these functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.domain import (
    Answer,
    MessageRef,
    PostId,
    PostKind,
    Question,
    RankedAnswer,
    VoteSubject,
    WorkspaceRef,
)
from bot.ports import SimilarCandidate, WebNames, WebThread
from bot.replies import VoteRecord

__all__ = [
    "POST_COLUMNS",
    "RANKING_ORDER",
    "WEB_THREAD_ANSWER",
    "WEB_THREAD_QUESTION",
    "WEB_THREAD_SIMILAR",
    "Row",
    "answer_from_row",
    "from_ms",
    "post_from_row",
    "post_select",
    "question_from_row",
    "ranked_from_rows",
    "similar_candidate_from_row",
    "to_ms",
    "vote_record",
    "vote_subject_from_row",
    "web_names_from_rows",
    "web_thread_from_rows",
]


class Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _message(row: Row, prefix: str) -> MessageRef | None:
    if row[f"{prefix}message_id"] is None:
        return None
    return MessageRef(row[f"{prefix}message_channel"], row[f"{prefix}message_id"])


def question_from_row(row: Row, workspace: WorkspaceRef, prefix: str = "") -> Question:
    """Build a Question from columns named `prefix + column` (a join names both sides)."""
    return Question(
        workspace=workspace,
        number=row[f"{prefix}number"],
        channel_id=row[f"{prefix}channel_id"],
        asker_id=row[f"{prefix}author_id"],
        asker_name=row[f"{prefix}author_name"],
        text=row[f"{prefix}body"],
        tags=tuple(row[f"{prefix}tags"].split()),
        anonymous=bool(row[f"{prefix}anonymous"]),
        created_at=from_ms(row[f"{prefix}created_ms"]),
        message=_message(row, prefix),
        thread_key=row[f"{prefix}thread_key"],
        accepted_answer=row[f"{prefix}accepted_number"],
        ups=row[f"{prefix}ups"],
        downs=row[f"{prefix}downs"],
        answer_count=row[f"{prefix}answer_count"],
        removed=bool(row[f"{prefix}removed"]),
        channel_private=bool(row[f"{prefix}channel_private"]),
        row_id=row[f"{prefix}id"],
    )


def answer_from_row(row: Row, workspace: WorkspaceRef, prefix: str = "") -> Answer:
    return Answer(
        workspace=workspace,
        number=row[f"{prefix}number"],
        question_number=row[f"{prefix}question_number"],
        channel_id=row[f"{prefix}channel_id"],
        author_id=row[f"{prefix}author_id"],
        author_name=row[f"{prefix}author_name"],
        text=row[f"{prefix}body"],
        created_at=from_ms(row[f"{prefix}created_ms"]),
        message=_message(row, prefix),
        ups=row[f"{prefix}ups"],
        downs=row[f"{prefix}downs"],
        removed=bool(row[f"{prefix}removed"]),
        row_id=row[f"{prefix}id"],
    )


POST_COLUMNS = (
    "id", "number", "channel_id", "author_id", "author_name", "body", "tags", "anonymous",
    "created_ms", "message_channel", "message_id", "thread_key", "ups", "downs", "removed",
    "channel_private",
)  # fmt: skip


# /top's order of answers (`{p}` their alias), as posts_ranked keeps them: both dialects.
RANKING_ORDER = "{p}.rank_score DESC, {p}.ups - {p}.downs DESC, {p}.created_ms ASC, {p}.id ASC"


def post_select(alias: str, prefix: str) -> str:
    """`alias.column AS prefix+column` for every column the row mappers read."""
    return ", ".join(f"{alias}.{column} AS {prefix}{column}" for column in POST_COLUMNS)


def ranked_from_rows(rows: Iterable[Row], workspace: WorkspaceRef) -> list[RankedAnswer]:
    """/top's rows, best first: each an answer's columns and its question's (`q_`). A question
    with several of the answers is built once (all of a question page's rows share one)."""
    questions: dict[int, Question] = {}
    ranked = []
    for rank, row in enumerate(rows, start=1):
        question = questions.get(row["q_number"])
        if question is None:
            question = questions[row["q_number"]] = question_from_row(row, workspace, prefix="q_")
        answer = answer_from_row(row, workspace)
        accepted = question.accepted_answer == answer.number
        ranked.append(RankedAnswer(rank, answer, question, accepted))
    return ranked


# The parts of a question page's rows (web_thread_from_rows), in the order they come.
WEB_THREAD_QUESTION, WEB_THREAD_ANSWER, WEB_THREAD_SIMILAR = 0, 1, 2


def web_thread_from_rows(rows: Sequence[Row], workspace: WorkspaceRef) -> WebThread | None:
    """Rows of a post's columns each, with its `part`: the question first (with
    `channel_name` and `similar_made_for`), then its answers in /top's order, then its similar
    questions; on each row the `headline` and `shown` of the post's author (`user_id`), NULL
    for an anonymous asker."""
    if not rows:
        return None
    question = question_from_row(rows[0], workspace)
    answers: list[RankedAnswer] = []
    similar: list[Question] = []
    for row in rows[1:]:
        if row["part"] == WEB_THREAD_ANSWER:
            answer = answer_from_row(row, workspace)
            accepted = question.accepted_answer == answer.number
            answers.append(RankedAnswer(len(answers) + 1, answer, question, accepted))
        else:
            similar.append(question_from_row(row, workspace))
    return WebThread(
        question,
        answers,
        rows[0]["channel_name"],
        rows[0]["similar_made_for"],
        similar,
        web_names_from_rows(rows),
    )


def post_from_row(row: Row, workspace: WorkspaceRef, prefix: str = "") -> Question | Answer:
    if row[f"{prefix}question_number"] is None:
        return question_from_row(row, workspace, prefix)
    return answer_from_row(row, workspace, prefix)


def similar_candidate_from_row(row: Row) -> SimilarCandidate:
    """From a question's `number`, `body` and `tags`."""
    return SimilarCandidate(row["number"], row["body"], tuple(row["tags"].split()))


def web_names_from_rows(rows: Iterable[Row]) -> WebNames:
    """From `user_id`, `headline` and `shown`, either of the last two possibly NULL."""
    headlines, choices = {}, {}
    for row in rows:
        user = str(row["user_id"])
        if row["headline"] is not None:
            headlines[user] = str(row["headline"])
        if row["shown"] is not None:
            choices[user] = bool(row["shown"])
    return WebNames(headlines, choices)


def vote_subject_from_row(row: Row, workspace: WorkspaceRef) -> VoteSubject:
    """From `number`, `author_id` and `question_number` (None for a question)."""
    question = row["question_number"]
    kind = PostKind.QUESTION if question is None else PostKind.ANSWER
    return VoteSubject(workspace, PostId(kind, row["number"]), row["author_id"], question)


def vote_record(row: Row) -> VoteRecord:
    """One of a person's votes, from `kind`, `number`, `emoji`, `weight` and `created_ms`."""
    at = from_ms(row["created_ms"])
    return VoteRecord(f"{row['kind']}{row['number']}", row["emoji"], row["weight"], at)
