"""Asking: public ids, tags, anonymity, and every kind of text the board refuses."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain import ChannelRef, PostId
from bot.errors import InvalidInput
from bot.service import QAService
from bot.settings import LimitsSettings
from tests.conftest import CHANNEL, OTHER_TEAM, TEAM, Board, FakeClock


async def test_questions_are_numbered_q1_q2_in_order(board: Board) -> None:
    first = await board.ask("alice", "How do I negotiate a salary offer?")
    second = await board.ask("bob", "Which certifications matter for data roles?")
    assert (str(first.post_id), str(second.post_id)) == ("Q1", "Q2")


async def test_a_question_can_be_found_again_by_its_id(board: Board) -> None:
    await board.ask("alice", "How do I negotiate a salary offer?")
    found = await board.service.get(TEAM, "q1")
    assert found.text == "How do I negotiate a salary offer?"


async def test_trailing_tags_become_tags_and_leave_the_text(board: Board) -> None:
    question = await board.ask("alice", "How do I move into ML? #ML #career")
    assert question.tags == ("ml", "career")
    assert question.text == "How do I move into ML?"


async def test_a_tag_inside_the_sentence_stays_in_the_text(board: Board) -> None:
    question = await board.ask("alice", "Is #python enough for backend jobs?")
    assert question.tags == ("python",)
    assert question.text == "Is #python enough for backend jobs?"


async def test_more_tags_than_the_limit_are_refused(board: Board) -> None:
    with pytest.raises(InvalidInput, match="at most 5 tags"):
        await board.ask("alice", "Where to start? #a #b #c #d #e #f")
    assert board.snapshot()["posts"] == []


async def test_an_anonymous_question_never_shows_the_asker(board: Board) -> None:
    question = await board.ask("alice", "Am I underpaid?", anonymous=True)
    assert question.shown_asker == "Anonymous"


async def test_an_anonymous_asker_stays_out_of_the_logs(
    board: Board, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="qabot")
    question = await board.ask("alice", "Am I underpaid?", anonymous=True)
    answer = await board.answer("bob", question)
    await board.service.accept(actor=board.user("alice"), answer=answer.post_id)
    await board.service.react(voter=board.user("alice"), target=answer.post_id, emoji="✅")
    await board.service.unreact(voter=board.user("alice"), target=answer.post_id, emoji="✅")
    assert "alice" not in caplog.text.lower()


async def test_question_time_is_the_injected_clock_in_utc(board: Board, clock: FakeClock) -> None:
    clock.now = datetime(2026, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    question = await board.ask()
    assert question.created_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    assert question.created_at.utcoffset() == timedelta(0)


async def test_a_question_up_to_the_limit_is_kept(board: Board) -> None:
    question = await board.ask("alice", "x" * 4000)
    assert len(question.text) == 4000


async def test_the_text_limit_comes_from_settings(board: Board) -> None:
    settings = replace(board.service.settings, limits=LimitsSettings(max_text_chars=10))
    service = QAService(store=board.service.store, settings=settings, clock=board.clock)
    with pytest.raises(InvalidInput, match="the limit is 10"):
        await service.ask(
            asker=board.user("alice"), channel=ChannelRef(TEAM, CHANNEL), text="eleven char"
        )


BAD_TEXTS = {
    "empty": "",
    "whitespace only": " \t\n  ",
    "one character over the limit": "x" * 4001,
    "a NUL byte": "How do I\x00 negotiate?",
    "an escape sequence": "Salary \x1b[31mred\x1b[0m?",
    "a bell": "Ding\x07?",
}


@pytest.mark.parametrize("text", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
async def test_bad_question_text_gets_one_sentence_and_stores_nothing(
    board: Board, text: str
) -> None:
    before = board.snapshot()
    with pytest.raises(InvalidInput) as refused:
        await board.ask("alice", text)
    message = refused.value.message
    assert "\n" not in message and message.endswith(".")
    assert board.snapshot() == before


async def test_asking_in_another_workspace_starts_its_own_numbers(board: Board) -> None:
    await board.ask("alice", "First here?", workspace=TEAM)
    elsewhere = await board.ask("zed", "First there?", workspace=OTHER_TEAM)
    assert elsewhere.post_id == PostId.parse("Q1")


INVISIBLE_TEXTS = {
    "zero-width spaces": "\u200b\u200b\u200b",
    "zero-width joiners": "\u200c\u200d",
    "word joiner and byte-order mark": "\u2060 \ufeff",
    "a soft hyphen": "\u00ad",
    "a Hangul filler": "\u3164",
}


@pytest.mark.parametrize("text", INVISIBLE_TEXTS.values(), ids=INVISIBLE_TEXTS.keys())
async def test_a_question_with_nothing_visible_is_refused_and_nothing_stored(
    board: Board, text: str
) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        await board.ask("alice", text)
    assert board.snapshot()["posts"] == []


async def test_an_answer_with_nothing_visible_is_refused_and_nothing_stored(
    board: Board,
) -> None:
    question = await board.ask("alice")
    before = board.snapshot()
    with pytest.raises(InvalidInput, match="empty"):
        await board.answer("bob", question, "\u200b\ufeff")
    assert board.snapshot() == before


async def test_a_question_that_is_only_tags_is_refused_and_nothing_stored(board: Board) -> None:
    with pytest.raises(InvalidInput, match="only tags"):
        await board.ask("alice", "#career #pay")
    assert board.snapshot()["posts"] == []


async def test_an_unclosed_right_to_left_override_is_closed_at_the_end(board: Board) -> None:
    question = await board.ask("alice", "Is this \u202etpircs a trick?")
    assert question.text == "Is this \u202etpircs a trick?\u202c"


async def test_an_unclosed_isolate_is_closed_at_the_end_of_its_line(board: Board) -> None:
    question = await board.ask("alice", "First \u2067line\nsecond line?")
    assert question.text == "First \u2067line\u2069\nsecond line?"


async def test_a_closer_that_closes_nothing_is_dropped(board: Board) -> None:
    question = await board.ask("alice", "Pop \u202c\u2069the stack?")
    assert question.text == "Pop the stack?"


async def test_an_answer_cannot_leave_an_override_open(board: Board) -> None:
    answer = await board.answer("bob", await board.ask("alice"), "\u202bAsk for more")
    assert answer.text == "\u202bAsk for more\u202c"


async def test_tags_in_other_scripts_leave_the_text_like_any_tag(board: Board) -> None:
    question = await board.ask("alice", "Comment changer de métier ? #carrière #职业")
    assert (question.text, question.tags) == ("Comment changer de métier ?", ("carrière", "职业"))


async def test_a_tag_in_another_script_inside_the_sentence_stays_in_the_text(
    board: Board,
) -> None:
    question = await board.ask("alice", "Is a #职业 change at 40 too late?")
    assert (question.text, question.tags) == ("Is a #职业 change at 40 too late?", ("职业",))


async def test_a_composed_and_a_decomposed_accent_are_the_same_tag(board: Board) -> None:
    question = await board.ask("alice", "Where next? #carrière #carrie\u0300re")
    assert question.tags == ("carrière",)


@pytest.mark.parametrize(
    "word", ["#-career", "#_pay", "#" + "a" * 31], ids=["dash first", "underscore first", "31 long"]
)
async def test_a_word_that_cannot_be_a_tag_is_refused_naming_it_and_the_rule(
    board: Board, word: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await board.ask("alice", f"Where do I start? {word}")
    assert word[:20] in refused.value.message and "at most 30 characters" in refused.value.message
    assert board.snapshot()["posts"] == []


async def test_a_tag_from_a_form_follows_the_same_rule(board: Board) -> None:
    with pytest.raises(InvalidInput, match="can't be a tag"):
        await board.service.ask(
            asker=board.user("alice"),
            channel=ChannelRef(TEAM, CHANNEL),
            text="Where do I start?",
            tags=["-career"],
        )
    assert board.snapshot()["posts"] == []


async def test_a_hash_inside_a_word_or_link_is_no_tag(board: Board) -> None:
    question = await board.ask("alice", "Is C# or site.com/#section worth it?")
    assert question.tags == ()
