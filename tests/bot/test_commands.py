"""The words after /ask, /top and /qa mean the same on every platform."""

from __future__ import annotations

import pytest

from bot.commands import parse_ask, parse_post_id, parse_qa, parse_top, top_args, top_title
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


@pytest.mark.parametrize("words", ["fortnight", "QQ1", "week; DROP TABLE posts"])
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


def test_anon_in_the_middle_of_a_sentence_is_text() -> None:
    text = "Does the --anon flag really hide me?"
    assert parse_ask(text) == (text, False)


@pytest.mark.parametrize(
    "typed", ["Q\u0663", "Q\uff11", "A\u0967"], ids=["arabic", "fullwidth", "devanagari"]
)
def test_an_id_with_digits_of_another_script_is_refused_saying_what_ids_look_like(
    typed: str,
) -> None:
    with pytest.raises(InvalidInput, match="like Q12 or A3") as refused:
        parse_post_id(typed)
    assert "0-9" in refused.value.message


def test_top_with_an_id_in_other_digits_gets_the_id_sentence() -> None:
    with pytest.raises(InvalidInput, match="is not an id: ids are Q or A"):
        parse_top("Q\u0663", channel_id="C1", limit=5)


@pytest.mark.parametrize("typed", ["Q0", "q99999999999999999999"])
def test_a_bad_id_gets_the_same_sentence_in_top_as_anywhere(typed: str) -> None:
    with pytest.raises(InvalidInput) as in_top:
        parse_top(typed, channel_id="C1", limit=5)
    with pytest.raises(InvalidInput) as alone:
        parse_post_id(typed)
    assert in_top.value.message == alone.value.message


def test_top_with_an_answer_id_says_it_takes_a_question_id() -> None:
    with pytest.raises(InvalidInput, match="use a question id, like Q12"):
        parse_top("A3", channel_id="C1", limit=5)


@pytest.mark.parametrize(
    ("words", "counted"),
    [("all #career #pay", "2 tags"), ("all Q1 Q3", "2 question ids"), ("week month", "2 windows")],
    ids=["two tags", "two ids", "two windows"],
)
def test_top_refuses_two_of_a_kind_saying_what_it_takes(words: str, counted: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_top(words, channel_id="C1", limit=5)
    message = refused.value.message
    assert "one window" in message and "one #tag" in message and counted in message


def test_top_refuses_a_tag_that_breaks_the_tag_rule() -> None:
    with pytest.raises(InvalidInput, match="#-ml can't be a tag"):
        parse_top("#-ml", channel_id="C1", limit=5)


def test_tabs_separate_the_words_of_qa() -> None:
    assert parse_qa("search\tsalary") == ("search", "salary")
