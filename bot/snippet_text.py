"""A search hit's snippet as one line of text, its matches marked the way a platform shows them."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import SearchHit
from bot.text_rules import excerpt

__all__ = ["snippet_text"]


def snippet_text(
    hit: SearchHit, *, mark: Callable[[str], str], escape: Callable[[str], str], limit: int
) -> str:
    """The snippet with each match as `mark` shows it and the rest as `escape` shows it; a hit
    without a snippet shows the start of its post (at most `limit` characters)."""
    if not hit.snippet:
        return escape(excerpt(hit.post.text, limit))
    return "".join(mark(escape(p.text)) if p.match else escape(p.text) for p in hit.snippet)
