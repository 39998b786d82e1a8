"""schema.org `QAPage` JSON-LD for a question's page, as Google documents it.

It is made from the values the page shows (adapters/web/views.py), so it says no more than the
page: the same names (the display rule, "Anonymous" for an anonymous asker), the same texts,
and `upvoteCount` as the net score (ups minus downs).
"""

from __future__ import annotations

import json
from typing import Any

from adapters.web.views import QuestionValues, ShownAnswer

__all__ = ["qa_page_json"]


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def _answer(shown: ShownAnswer, url: str) -> dict[str, Any]:
    return {
        "@type": "Answer",
        "text": shown.text,
        "upvoteCount": shown.ups - shown.downs,
        "url": f"{url}#{shown.anchor}",
        "dateCreated": shown.iso,
        "author": _person(shown.author),
    }


def qa_page(page: QuestionValues, url: str) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "@type": "Question",
        "name": page.heading,
        "text": page.text,
        "answerCount": page.answer_count,
        "dateCreated": page.iso,
        "author": _person(page.asker),
        "upvoteCount": page.ups - page.downs,
    }
    accepted = [shown for shown in page.answers if shown.accepted]
    suggested = [shown for shown in page.answers if not shown.accepted]
    if accepted:
        entity["acceptedAnswer"] = _answer(accepted[0], url)
    if suggested:
        entity["suggestedAnswer"] = [_answer(shown, url) for shown in suggested]
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": entity}


def qa_page_json(page: QuestionValues, url: str) -> str | None:
    """The JSON-LD text, safe inside a `<script>` element; None for a question with no answer."""
    if not page.answers:
        return None
    text = json.dumps(qa_page(page, url), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
