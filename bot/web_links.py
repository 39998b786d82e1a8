"""Links from chat to the web view: `/top` and digests point each answer at its page when the
web view is on and publishes the question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain import RankedAnswer, WorkspaceRef
from bot.ports import Store
from bot.web_settings import WebSettings, answer_anchor, base_url, is_published, question_path

__all__ = ["ranked_with_pages"]


async def ranked_with_pages(
    store: Store, web: WebSettings, workspace: WorkspaceRef, ranked: Sequence[RankedAnswer]
) -> list[RankedAnswer]:
    """`ranked`, each with the URL of its answer on the web view where it is published."""
    if not web.enabled or not ranked:
        return list(ranked)
    hidden = await store.web_hidden(workspace)
    base = base_url(web)
    return [
        replace(entry, page_url=f"{base}{_path(entry)}")
        if is_published(web, entry.question, hidden=entry.question.number in hidden)
        else entry
        for entry in ranked
    ]


def _path(entry: RankedAnswer) -> str:
    return f"{question_path(entry.question)}#{answer_anchor(entry.answer.number)}"
