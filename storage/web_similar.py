"""The word pairs the web view's similar-question search asks each store's full-text index for.

A question's page lists questions like it (bot/similarity.py: the cosine of the two stem sets,
kept at 0.4 or more). With three or more stems, one stem in common reaches 0.4 only against a
question of one or two stems, so the search asks for two in common: the index then hands over
the few questions sharing a pair instead of every question sharing any one word, which for a
common word is a large share of the workspace on every page view.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

__all__ = ["MAX_WORDS", "word_pairs"]

MAX_WORDS = 10  # 45 pairs at most; a long question is searched by its longest, rarer, words


def word_pairs(words: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of which a candidate must contain both; a lone word pairs with itself, so fewer
    than three words need only one in common."""
    chosen = sorted(sorted(set(words), key=lambda word: (-len(word), word))[:MAX_WORDS])
    if len(chosen) < 3:
        return [(word, word) for word in chosen]
    return list(itertools.combinations(chosen, 2))
