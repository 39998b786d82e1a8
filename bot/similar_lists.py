"""The similar questions a question's web page lists, made once and kept in the store.

Finding them (a full-text search for candidates, ranked by bot/similarity.py) costs a page more
than all its other reads together, and a page is read far more often than a question is asked
or edited. So the list is made when a question the site publishes is asked or edited, or at its
page's first view (a question asked before the list was kept, imported, or asked while the web
view was off), and each page view reads it.

A list keeps the `KEPT` most similar questions of the published channels, more than a page
shows, so that questions removed or hidden later (skipped when the list is read) leave others
to show. A new question also takes its place in the lists of the questions it found:
similarity is symmetric. A list made while other channels were published is made again.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.domain import Question
from bot.ports import Store
from bot.similarity import most_similar, search_words
from bot.web_settings import WebSettings, is_published, published, published_channels

__all__ = ["KEPT", "SHOWN", "keep_for_site", "made_for", "make_similar_list"]

SHOWN = 5
KEPT = 10
_CANDIDATES = 50


def made_for(channels: Collection[str] | None) -> str:
    """What a list records of the published channels it was made for (None: every public one)."""
    return "*" if channels is None else " ".join(sorted(channels))


async def make_similar_list(
    store: Store, question: Question, *, channels: Collection[str] | None
) -> None:
    """Find the questions most like `question` in `channels` (None: every public one) and keep
    them as its list."""
    workspace = question.workspace
    found: list[tuple[int, float]] = []
    if words := search_words(question.text, question.tags):
        candidates = await store.web_similar(workspace, words, channels=channels, limit=_CANDIDATES)
        found = [(c.number, score) for c, score in most_similar(question, candidates, limit=KEPT)]
    await store.keep_similar(
        workspace, question.number, found, made_for=made_for(channels), keep=KEPT
    )


async def keep_for_site(store: Store, web: WebSettings, question: Question) -> None:
    """After a question is asked or edited: make its list when the site publishes it."""
    if web.enabled and is_published(web, question, hidden=False):
        channels = published_channels(published(web), question.workspace)
        await make_similar_list(store, question, channels=channels)
