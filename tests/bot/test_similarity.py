"""What the similar-question search asks a store's full-text index for."""

from __future__ import annotations

from bot.similarity import search_words, stems


def test_the_search_asks_each_stem_once_by_its_shortest_word() -> None:
    text = "Negotiating a negotiation: how to negotiate the offer?"
    assert search_words(text, ["pay"]) == ["negotiate", "offer", "pay"]


def test_stems_are_the_key_words_stemmed_numbers_and_tags_included() -> None:
    text = "Negotiating my 2024 salary after 5 YEARS, or should I switch teams?"
    assert stems(text, ["Pay", "remote-work"]) == {
        "negotiat", "2024", "salar", "year", "switch", "team", "pay", "remote-work",
    }  # fmt: skip
    assert stems("How do I? 7 of 10", ()) == {"10"}
