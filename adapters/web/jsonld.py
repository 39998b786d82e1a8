"""schema.org `QAPage` JSON-LD for a question's page, as Google documents it.

It says no more than the page: the same names (the display rule, "Anonymous" for an anonymous
asker), the same texts, and `upvoteCount` as the net score (ups minus downs).
"""

from __future__ import annotations

import json
from typing import Any

from adapters.web.people import plain_text
from adapters.web.reader import AnswerView, QuestionPage
from bot.domain import Question
from bot.text_rules import excerpt
from bot.web_settings import answer_anchor as anchor_of

__all__ = ["answer_anchor", "qa_page_json", "question_name"]


def answer_anchor(view: AnswerView) -> str:
    return anchor_of(view.ranked.answer.number)


def question_name(question: Question) -> str:
    """A question's heading: the page's `h1` and the JSON-LD's `name`."""
    return excerpt(plain_text(question.text), 110)


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def _answer(view: AnswerView, url: str) -> dict[str, Any]:
    answer = view.ranked.answer
    return {
        "@type": "Answer",
        "text": plain_text(answer.text),
        "upvoteCount": answer.score,
        "url": f"{url}#{answer_anchor(view)}",
        "dateCreated": answer.created_at.isoformat(),
        "author": _person(view.author),
    }


def qa_page(page: QuestionPage, url: str) -> dict[str, Any]:
    question = page.question
    entity: dict[str, Any] = {
        "@type": "Question",
        "name": question_name(question),
        "text": plain_text(question.text),
        "answerCount": question.answer_count,
        "dateCreated": question.created_at.isoformat(),
        "author": _person(page.asker),
        "upvoteCount": question.ups - question.downs,
    }
    accepted = [view for view in page.answers if view.ranked.accepted]
    suggested = [view for view in page.answers if not view.ranked.accepted]
    if accepted:
        entity["acceptedAnswer"] = _answer(accepted[0], url)
    if suggested:
        entity["suggestedAnswer"] = [_answer(view, url) for view in suggested]
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity}


def qa_page_json(page: QuestionPage, url: str) -> str | None:
    """The JSON-LD text, safe inside a `<script>` element; None for a question with no answer."""
    if not page.answers:
        return None
    text = json.dumps(qa_page(page, url), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
