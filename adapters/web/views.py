"""Template values for each page: titles, descriptions, links and texts, already plain.

Nothing here is HTML: the templates escape every value, so a question holding `<script>` shows
that text. Mentions are plain words (adapters/web/people.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters.web.people import plain_text
from adapters.web.reader import AnswerView, ListedQuestion, QuestionPage
from bot.domain import Question, WorkspaceRef
from bot.text_rules import excerpt
from bot.web_settings import answer_anchor, channel_path, question_path

__all__ = [
    "AnswerItem",
    "ChannelLink",
    "QuestionItem",
    "QuestionValues",
    "ShownAnswer",
    "answer_item",
    "channel_link",
    "channel_name",
    "question_item",
    "question_page",
]

_TITLE = 70
_HEADING = 110
_DESCRIPTION = 155


# The pages are in English whatever the server's locale, which strftime's %B would follow.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _date(moment: datetime) -> str:
    """`4 December 2026`."""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


# The values a template shows for each item of a list: objects with attributes rather than
# dicts, because Jinja looks `item.path` up as an attribute first and only then as a key.


@dataclass(frozen=True, slots=True)
class ChannelLink:
    path: str
    name: str


@dataclass(frozen=True, slots=True)
class QuestionItem:
    path: str
    title: str
    asker: str
    answers: int
    solved: bool
    iso: str
    date: str


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One answer in a list of the best: its question's page, anchored at the answer."""

    path: str
    title: str
    score: str
    author: str
    accepted: bool
    excerpt: str


@dataclass(frozen=True, slots=True)
class ShownAnswer:
    """One answer on its question's page."""

    anchor: str
    accepted: bool
    text: str
    ups: int
    downs: int
    author: str
    iso: str
    date: str


def question_title(question: Question) -> str:
    return excerpt(plain_text(question.text), _TITLE)


def question_name(question: Question) -> str:
    """A question's heading: the page's `h1` and the JSON-LD's `name`."""
    return excerpt(plain_text(question.text), _HEADING)


def channel_name(channel_id: str, name: str | None = None) -> str:
    """How the site names a channel: `#name` as the chat last showed it, else `#<its id>`."""
    return f"#{name or channel_id}"


def channel_link(workspace: WorkspaceRef, channel_id: str, name: str | None = None) -> ChannelLink:
    return ChannelLink(channel_path(workspace, channel_id), channel_name(channel_id, name))


def question_item(listed: ListedQuestion) -> QuestionItem:
    question = listed.question
    return QuestionItem(
        path=question_path(question),
        title=question_title(question),
        asker=listed.asker,
        answers=question.answer_count,
        solved=question.accepted_answer is not None,
        iso=question.created_at.isoformat(),
        date=_date(question.created_at),
    )


def answer_item(view: AnswerView) -> AnswerItem:
    answer, question = view.ranked.answer, view.ranked.question
    return AnswerItem(
        path=f"{question_path(question)}#{answer_anchor(answer.number)}",
        title=question_title(question),
        score=f"{answer.score:+d}",
        author=view.author,
        accepted=view.ranked.accepted,
        excerpt=excerpt(plain_text(answer.text), 200),
    )


def _answer(view: AnswerView) -> ShownAnswer:
    answer = view.ranked.answer
    return ShownAnswer(
        anchor=answer_anchor(answer.number),
        accepted=view.ranked.accepted,
        text=plain_text(answer.text),
        ups=answer.ups,
        downs=answer.downs,
        author=view.author,
        iso=answer.created_at.isoformat(),
        date=_date(answer.created_at),
    )


@dataclass(frozen=True, slots=True)
class QuestionValues:
    """What a question's page shows of it, its answers (the accepted one first, then /top's
    order) and its similar questions; the JSON-LD is made of the same values."""

    heading: str
    text: str
    asker: str
    tags: Sequence[str]
    ups: int
    downs: int
    answer_count: int
    channel: ChannelLink
    answers: Sequence[ShownAnswer]
    similar: Sequence[QuestionItem]
    iso: str
    date: str


def question_page(page: QuestionPage) -> QuestionValues:
    question = page.question
    return QuestionValues(
        heading=question_name(question),
        text=plain_text(question.text),
        asker=page.asker,
        tags=question.tags,
        ups=question.ups,
        downs=question.downs,
        answer_count=question.answer_count,
        channel=channel_link(question.workspace, question.channel_id, page.channel_name),
        answers=[_answer(view) for view in page.answers],
        similar=[question_item(listed) for listed in page.similar],
        iso=question.created_at.isoformat(),
        date=_date(question.created_at),
    )


def description_of(page: QuestionValues) -> str:
    """The meta description: the best answer's opening, else the question's."""
    return excerpt(page.answers[0].text if page.answers else page.text, _DESCRIPTION)
