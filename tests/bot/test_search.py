"""Search finds plain words; query syntax typed by people is never syntax and never raises."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.service import QAService
from bot.settings import Settings
from storage.sqlite import SqliteStore
from tests.conftest import MODERATOR, TEAM, Board, FakeClock


@pytest.fixture
async def seeded(board: Board) -> Board:
    question = await board.ask("alice", "How do I negotiate salary for a senior role?")
    await board.answer("bob", question, "Research the market rate near your city, and anchor high.")
    await board.ask("carol", "Is a bootcamp worth it for data science?")
    return board


async def found(board: Board, text: str) -> list[str]:
    hits = await board.service.search(workspace=TEAM, text=text)
    return [str(hit.post.post_id) for hit in hits]


async def test_search_finds_a_question_by_a_word(seeded: Board) -> None:
    assert await found(seeded, "bootcamp") == ["Q2"]


async def test_search_finds_answers_too(seeded: Board) -> None:
    assert await found(seeded, "anchor") == ["A1"]


async def test_search_needs_every_word(seeded: Board) -> None:
    assert await found(seeded, "salary senior") == ["Q1"]
    assert await found(seeded, "salary bootcamp") == []


async def test_search_ignores_case(seeded: Board) -> None:
    assert await found(seeded, "BOOTCAMP") == ["Q2"]


SYNTAX = {
    "double quote": ('"salary', ["Q1"]),
    "quoted phrase with a star": ('"salary*"', ["Q1"]),
    "prefix star": ("salary*", ["Q1"]),
    "NEAR": ("NEAR(rate city)", ["A1"]),
    "minus": ("-salary", ["Q1"]),
    "column filter": ("body:salary", []),
    "unbalanced parentheses": ("((salary", ["Q1"]),
    "boolean words": ("anchor AND high", ["A1"]),
    "NOT": ("salary NOT bootcamp", []),
    "SQL injection": ("salary'; DROP TABLE posts; --", []),
    "caret": ("^salary", ["Q1"]),
}


@pytest.mark.parametrize(("text", "expected"), SYNTAX.values(), ids=SYNTAX.keys())
async def test_query_syntax_is_read_as_plain_words(
    seeded: Board, text: str, expected: list[str]
) -> None:
    before = seeded.snapshot()
    assert await found(seeded, text) == expected
    assert seeded.snapshot() == before


async def test_a_quoted_word_still_finds_the_word(seeded: Board) -> None:
    assert await found(seeded, '"salary') == ["Q1"]


async def test_an_sql_injection_attempt_finds_the_plain_words_and_drops_nothing(
    seeded: Board,
) -> None:
    assert await found(seeded, "bootcamp'; DROP TABLE posts; --") == []
    assert await found(seeded, "bootcamp") == ["Q2"]


@pytest.mark.parametrize("text", ["", "   ", "((( )))", '""', "*", "-"])
async def test_a_search_without_words_asks_for_words(seeded: Board, text: str) -> None:
    with pytest.raises(InvalidInput, match="Give me some words to search for"):
        await seeded.service.search(workspace=TEAM, text=text)


async def test_a_removed_post_vanishes_from_search(seeded: Board) -> None:
    await seeded.service.remove(actor=seeded.user(MODERATOR), post="Q2")
    assert await found(seeded, "bootcamp") == []


async def test_search_never_shows_the_asker_of_an_anonymous_question(board: Board) -> None:
    await board.ask("alice", "Am I underpaid as a junior?", anonymous=True)
    (hit,) = await board.service.search(workspace=TEAM, text="underpaid")
    assert hit.question.shown_asker == "Anonymous"


async def test_an_edited_post_is_found_by_its_new_words(board: Board) -> None:
    from bot.domain import MessageRef

    question = await board.ask("alice", "Old wording")
    await board.service.link_question(question, message=MessageRef("C1", "3.3"))
    await board.service.edit_message(TEAM, MessageRef("C1", "3.3"), "Fresh phrasing")
    assert await found(board, "phrasing") == ["Q1"]
    assert await found(board, "wording") == []


def test_search_never_raises_on_any_text(tmp_path: Path) -> None:
    with asyncio.Runner() as runner:
        store = runner.run(SqliteStore.open(tmp_path / "fuzz.db"))
        service = QAService(store=store, settings=Settings(), clock=FakeClock())

        @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.text(max_size=60))
        def search(text: str) -> None:
            with contextlib.suppress(InvalidInput):  # no words: one friendly sentence
                runner.run(service.search(workspace=TEAM, text=text))

        try:
            search()
        finally:
            runner.run(store.close())
