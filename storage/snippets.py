"""A search hit from a store's row, with its snippet: the store marks the matched words, this
turns them into plain parts.

Both stores wrap each match in MATCH_START and MATCH_END, control characters that no stored
text holds (bot.text_rules refuses them), and cut the text around the matches without
ellipses; the parts say where the snippet was cut with "…".
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain import PostKind, SearchHit, SnippetPart, WorkspaceRef
from storage.rows import answer_from_row, question_from_row

__all__ = ["MATCH_END", "MATCH_START", "search_hit", "snippet_parts"]

MATCH_START = "\x02"
MATCH_END = "\x03"
_MARKED = re.compile(f"{MATCH_START}(.*?){MATCH_END}", re.DOTALL)
# Direction controls are dropped, not closed: a cut snippet could leave one open.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")


def search_hit(row: Any, workspace: WorkspaceRef) -> SearchHit:
    """A row of either store's search: the post's columns, its question's (`q_`), `snippet`."""
    question = question_from_row(row, workspace, prefix="q_")
    post = question if row["kind"] == PostKind.QUESTION else answer_from_row(row, workspace)
    return SearchHit(post, question, snippet_parts(row["snippet"], post.text))


def snippet_parts(marked: str, body: str) -> tuple[SnippetPart, ...]:
    """The parts of `marked` (a store's snippet of `body`) on one line, with "…" where the
    snippet starts after the body's start or ends before its end."""
    parts: list[SnippetPart] = []
    shown = 0
    for match in _MARKED.finditer(marked):
        _add(parts, marked[shown : match.start()], match=False)
        _add(parts, match[1], match=True)
        shown = match.end()
    _add(parts, marked[shown:], match=False)
    parts = _trimmed(parts)
    plain, whole = _flat("".join(part.text for part in parts)), _flat(body)
    start = whole.find(plain) if plain else -1
    if start > 0:
        parts.insert(0, SnippetPart("… ", match=False))
    if start >= 0 and start + len(plain) < len(whole):
        parts.append(SnippetPart(" …", match=False))
    return tuple(parts)


def _add(parts: list[SnippetPart], text: str, *, match: bool) -> None:
    text = _DIRECTION.sub("", re.sub(r"\s+", " ", text.replace(MATCH_START, "")))
    if text:
        parts.append(SnippetPart(text, match))


def _flat(text: str) -> str:
    return " ".join(_DIRECTION.sub("", text).split())


def _trimmed(parts: list[SnippetPart]) -> list[SnippetPart]:
    """`parts` without the spaces at either end of the line."""
    if parts and not parts[0].match:
        parts[0] = SnippetPart(parts[0].text.lstrip(), match=False)
    if parts and not parts[-1].match:
        parts[-1] = SnippetPart(parts[-1].text.rstrip(), match=False)
    return [part for part in parts if part.text]
