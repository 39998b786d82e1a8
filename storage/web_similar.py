"""The word pairs the web view's similar-question search asks each store's full-text index for.

The search makes a question's kept list (bot/similar_lists.py) of the questions like it
(bot/similarity.py: the cosine of the two stem sets, kept at 0.4 or more). With three or more
stems, one stem in common reaches 0.4 only against a question of one or two stems, so the
search asks for two in common: the index then hands over the few questions sharing a pair
instead of every question sharing any one word, which for a common word is a large share of
the workspace on every search.

Each word is one of the question's own words, one for each stem (bot/similarity.py
`search_words`), matched whole as the index stems it, never as a prefix: a prefix takes in every
word that begins so ("car" is career, careful and card too), whose posts the index reads and
merges on every search, to hand over candidates that mostly share no stem with the question at
all. What that leaves out: a question that shares a stem only in a word the index stems apart
(bot/similarity.py's stem "off" holds "offer" and "off", which both indexes keep apart), unless
it shares another pair.

The index ranks every question sharing a pair and hands over the best text matches, so the time
still grows with the number of questions sharing the question's commonest pair.
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
