"""What a typed search asks for: its words, the last one perhaps unfinished, and its `#tags`.

Stemming is the store's (so "negotiating" finds "negotiate"); the core only drops the words
that English stemming leaves out of every post (PostgreSQL's English stop words), so that both
stores ask for the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.text_rules import normalize_tag, plain_words

__all__ = ["ENGLISH_STOP_WORDS", "SearchQuery", "parse_search"]

# PostgreSQL's english.stop: its English configuration indexes none of these words.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP.split())


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Posts with every word (the last one also as the start of a word), on questions with
    every tag; words are lower-case and plain, never query syntax."""

    words: tuple[str, ...]
    tags: tuple[str, ...] = ()


def parse_search(text: str, *, language: str) -> SearchQuery:
    """The query `text` asks for: `#career` is the tag career, every other word a word."""
    tags: list[str] = []
    rest: list[str] = []
    for token in text.split():
        tag = normalize_tag(token) if token.startswith("#") else None
        if tag is None:
            rest.append(token)
        elif tag not in tags:
            tags.append(tag)
    words = plain_words(" ".join(rest))
    if language == "english":
        words = tuple(word for word in words if word not in ENGLISH_STOP_WORDS)
    if not words and not tags:
        raise InvalidInput("Give me some words to search for, like: salary negotiation.")
    return SearchQuery(words, tuple(tags))
