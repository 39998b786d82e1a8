"""What the similar-question search asks a store's full-text index for."""

from __future__ import annotations

from bot.similarity import search_words


def test_the_search_asks_each_stem_once_by_its_shortest_word() -> None:
    text = "Negotiating a negotiation: how to negotiate the offer?"
    assert search_words(text, ["pay"]) == ["negotiate", "offer", "pay"]
