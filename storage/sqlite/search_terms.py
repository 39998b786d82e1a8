"""A search query as an FTS5 MATCH expression: every word, the last also as a prefix, and
every tag in the tags column. Each term is quoted, so FTS5 sees plain terms, never syntax."""

from __future__ import annotations

from bot.search_query import SearchQuery

__all__ = ["fts_match"]


def fts_match(query: SearchQuery) -> str:
    terms = [_quoted(word) for word in query.words]
    if terms:
        terms[-1] += "*"
    terms += [f"tags : {_quoted(tag)}" for tag in query.tags]
    return " ".join(terms)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
