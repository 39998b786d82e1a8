"""Similar questions: pure-Python ranking of full-text candidates.

Method: each question becomes a set of word stems (lower-cased words minus English stop words and
question filler, with common suffixes cut: negotiate / negotiating / negotiation -> negotiat). The
store finds candidates sharing any of the question's words, stemmed as its search stems them;
they are ranked by the cosine of the two stem sets, |A ∩ B| / sqrt(|A| |B|), and kept above a
threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from bot.domain import Question
from bot.replies import SimilarQuestion

__all__ = [
    "THRESHOLD",
    "Worded",
    "key_words",
    "most_similar",
    "rank_similar",
    "search_words",
    "stems",
]

THRESHOLD = 0.4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SUFFIXES = ("ingly", "ings", "ing", "ions", "ion", "ies", "ied", "ers", "er", "ed", "es", "s",
             "e", "y")  # fmt: skip
_STOP_WORDS = """a about above after again all am an and any are as at be been before being best
better but by can could did do does doing for from get getting go good had has have having how i
if in into is it its just me more most my of on or our out should so some than that the their
them then there these they this to too tips very was way we were what when where which while who
why will with would you your yours advice anyone someone help question thoughts ideas recommend
recommendations"""
_STOP = frozenset(_STOP_WORDS.split())


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def key_words(text: str, tags: Iterable[str] = ()) -> frozenset[str]:
    """The words that say what a question is about: lower-case, without stop words."""
    words = [w.lower() for w in _WORD.findall(text)] + [t.lower() for t in tags]
    return frozenset(w for w in words if w not in _STOP and len(w) > 1)


@lru_cache(maxsize=16_384)
def _key_stem(word: str) -> str:
    """A word's stem, "" for a stop word; kept per word as written: a community's questions
    reuse a few thousand words, and stemming one tries every suffix."""
    lower = word.lower()
    return "" if lower in _STOP or len(lower) < 2 else stem(lower)


def _word_stem(word: str) -> str:
    """As _key_stem, but a number (years, amounts, ids: mostly once each) is its own stem and
    stays out of the cache, where it would push out the words that recur."""
    if word.isdecimal():
        return word if len(word) > 1 else ""
    return _key_stem(word)


def stems(text: str, tags: Iterable[str] = ()) -> frozenset[str]:
    """The stems of `key_words(text, tags)`."""
    found = {_word_stem(w) for w in _WORD.findall(text)}
    found.update(_key_stem(t) for t in tags)
    found.discard("")
    return frozenset(found)


@lru_cache(maxsize=2048)
def _question_stems(text: str, tags: tuple[str, ...]) -> frozenset[str]:
    """A question's stems, kept: making a similar list (or chat's list at /ask) compares the
    question with up to fifty candidates, and one community's lists keep meeting the same ones."""
    return stems(text, tags)


def search_words(text: str, tags: Iterable[str] = ()) -> list[str]:
    """One key word for each stem (the shortest, then the first alphabetically): what to ask a
    full-text index that stems words itself, so each of the question's stems is asked once."""
    chosen: dict[str, str] = {}
    for word in sorted(key_words(text, tags), key=lambda word: (len(word), word)):
        chosen.setdefault(stem(word), word)
    return sorted(chosen.values())


def _cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


class Worded(Protocol):
    """A question as far as comparing words goes (a Question, or a web search's candidate)."""

    @property
    def number(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...


W = TypeVar("W", bound=Worded)


def most_similar(question: Worded, candidates: Iterable[W], *, limit: int) -> list[tuple[W, float]]:
    """The `limit` candidates most like `question` (never itself) with their similarity, best
    first."""
    mine = _question_stems(question.text, question.tags)
    scored = [
        (other, round(_cosine(mine, _question_stems(other.text, other.tags)), 3))
        for other in candidates
        if other.number != question.number
    ]
    kept = [pair for pair in scored if pair[1] >= THRESHOLD]
    kept.sort(key=lambda pair: (-pair[1], -pair[0].number))
    return kept[:limit]


def rank_similar(
    question: Question, candidates: Sequence[Question], *, limit: int
) -> list[SimilarQuestion]:
    """The `limit` candidates most like `question` (never itself), best first."""
    return [
        SimilarQuestion(q, similarity)
        for q, similarity in most_similar(question, candidates, limit=limit)
    ]
