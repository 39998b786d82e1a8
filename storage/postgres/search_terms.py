"""A search query as to_tsquery text: the words ANDed, the last also as a prefix ('salar':*),
and the tags ANDed as lexemes of weight B, the tags' part of post_search.search_vector. Each
lexeme is quoted, so to_tsquery sees plain terms, never syntax."""

from __future__ import annotations

from bot.search_query import SearchQuery

__all__ = ["HEADLINE_OPTIONS", "tsquery_texts"]

# ts_headline's options: about 24 words around the matches, marked as storage/snippets.py reads.
HEADLINE_OPTIONS = 'StartSel="\x02", StopSel="\x03", MaxWords=24, MinWords=12, ShortWord=2'


def tsquery_texts(query: SearchQuery) -> tuple[str, str]:
    """The words' query text (for the search language) and the tags' (for 'simple')."""
    words = [_quoted(word) for word in query.words]
    if words:
        words[-1] += ":*"
    tags = [_quoted(tag) + ":B" for tag in query.tags]
    return " & ".join(words), " & ".join(tags)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
