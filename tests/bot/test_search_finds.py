"""What people type into /search: other forms of a word, `#tags`, and the small words of a
sentence, which no post has to contain."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput, SettingsError
from bot.settings import load_settings
from tests.conftest import TEAM, Board


async def found(board: Board, text: str) -> list[str]:
    hits = await board.service.search(workspace=TEAM, text=text)
    return [str(hit.post.post_id) for hit in hits]


async def test_negotiating_finds_a_question_about_negotiating(board: Board) -> None:
    await board.ask("alice", "How do I negotiate a salary offer?")
    assert await found(board, "negotiating") == ["Q1"]


async def test_an_unfinished_word_finds_the_word(board: Board) -> None:
    await board.ask("alice", "How do I negotiate a salary offer?")
    assert await found(board, "salar") == ["Q1"]


async def test_a_hash_tag_finds_the_questions_tagged_with_it(board: Board) -> None:
    await board.ask("alice", "When should I ask for a raise? #career")
    await board.ask("bob", "Is a #career in sales a good idea?")
    await board.ask("carol", "Which laptop for data science?")
    assert sorted(await found(board, "#career")) == ["Q1", "Q2"]


async def test_a_tag_and_a_word_must_both_match(board: Board) -> None:
    await board.ask("alice", "When should I ask for a raise? #career")
    await board.ask("bob", "When should I ask for a transfer? #career")
    assert await found(board, "#career raise") == ["Q1"]


async def test_a_sentence_finds_a_post_without_its_small_words(board: Board) -> None:
    await board.ask("alice", "When should I ask my manager for a raise?")
    assert await found(board, "how to ask for a raise") == ["Q1"]


async def test_a_search_of_small_words_only_asks_for_words(board: Board) -> None:
    with pytest.raises(InvalidInput, match="Give me some words to search for"):
        await board.service.search(workspace=TEAM, text="how to")


def test_the_search_language_can_be_set_for_postgresql() -> None:
    env = {"QABOT_SEARCH_LANGUAGE": "german", "QABOT_STORAGE_URL": "postgresql://db/qabot"}
    assert load_settings(env=env).search.language == "german"


def test_a_search_language_postgresql_lacks_is_refused() -> None:
    env = {"QABOT_SEARCH_LANGUAGE": "klingon", "QABOT_STORAGE_URL": "postgresql://db/qabot"}
    with pytest.raises(SettingsError, match=r"\[search\] language must be one of"):
        load_settings(env=env)


def test_a_search_language_other_than_english_on_sqlite_is_refused() -> None:
    with pytest.raises(SettingsError, match='SQLite store stems "english" only'):
        load_settings(env={"QABOT_SEARCH_LANGUAGE": "german"})
