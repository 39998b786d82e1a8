"""The words after /ask, /top and /qa mean the same on every platform."""

from __future__ import annotations

import pytest

from bot.commands import parse_ask, parse_qa, parse_top, top_args, top_title
from bot.domain import TopQuery, Window
from bot.errors import InvalidInput


def test_anon_flag_is_taken_out_of_the_question() -> None:
    assert parse_ask("Am I underpaid? --anon #pay") == ("Am I underpaid? #pay", True)


def test_a_question_without_the_flag_is_kept_as_typed() -> None:
    assert parse_ask("  Is --anonymity a word? ") == ("Is --anonymity a word?", False)


def test_top_defaults_to_this_week_in_this_channel() -> None:
    assert parse_top("", channel_id="C1", limit=10) == TopQuery("C1", Window.WEEK, limit=10)


def test_top_words_come_in_any_order() -> None:
    query = parse_top("#ML month", channel_id="C1", limit=5)
    assert (query.window, query.tag, query.channel_id) == (Window.MONTH, "ml", "C1")


def test_top_of_one_question_ignores_the_channel() -> None:
    query = parse_top("q12", channel_id="C1", limit=5)
    assert (query.question, query.channel_id) == (12, None)


@pytest.mark.parametrize("words", ["fortnight", "A3", "#", "Q0", "week; DROP TABLE posts"])
def test_a_malformed_top_gets_one_sentence_with_examples(words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_top(words, channel_id="C1", limit=5)
    assert "\n" not in refused.value.message
    assert "`/top month #ml`" in refused.value.message


def test_a_share_button_gives_the_same_query_back() -> None:
    query = TopQuery("C1", Window.YEAR, tag="ml", limit=10)
    assert parse_top(top_args(query), channel_id="C1", limit=10) == query


def test_the_title_says_the_scope() -> None:
    query = TopQuery("C1", Window.DAY, tag="ml")
    assert top_title(query, channel_name="#jobs") == "Top answers in #jobs, today, #ml"


def test_an_empty_qa_is_help() -> None:
    assert parse_qa("  ") == ("help", "")


@pytest.mark.parametrize("text", ["frobnicate", "DROP TABLE", "accept", "remove  "])
def test_a_malformed_qa_gets_one_sentence(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_qa(text)
    assert "\n" not in refused.value.message
