"""A private channel's questions and answers show only in that channel (asked from elsewhere,
they behave exactly like posts that do not exist)."""

from __future__ import annotations

import pytest

from bot.domain import ChannelRef, Question, TopQuery, Window
from bot.errors import NotFound
from tests.conftest import TEAM, Board

PRIVATE = "G-private"
PUBLIC = "C-public"


async def _private_question(board: Board) -> Question:
    question = await board.service.ask(
        asker=board.user("alice"),
        channel=ChannelRef(TEAM, PRIVATE, is_private=True),
        text="Is my manager allowed to see my salary negotiation notes?",
    )
    answer = await board.answer("bob", question, "No: keep salary notes in your own drive.")
    await board.votes(answer, "👍", "carol")
    return question


async def test_top_of_a_private_question_from_another_channel_says_it_does_not_exist(
    board: Board,
) -> None:
    question = await _private_question(board)
    query = TopQuery(channel_id=None, question=question.number)
    with pytest.raises(NotFound, match=f"There is no Q{question.number} here"):
        await board.service.top(workspace=TEAM, query=query, seen_from=PUBLIC)


async def test_top_of_a_private_question_in_its_own_channel_shows_its_answers(
    board: Board,
) -> None:
    question = await _private_question(board)
    query = TopQuery(channel_id=None, question=question.number)
    ranked = await board.service.top(workspace=TEAM, query=query, seen_from=PRIVATE)
    assert [entry.answer.author_id for entry in ranked] == ["bob"]


async def test_a_tag_or_window_top_elsewhere_never_lists_private_answers(board: Board) -> None:
    await _private_question(board)
    query = TopQuery(channel_id=PUBLIC, window=Window.ALL)
    assert await board.service.top(workspace=TEAM, query=query, seen_from=PUBLIC) == []


async def test_search_from_another_channel_finds_nothing_from_a_private_channel(
    board: Board,
) -> None:
    await _private_question(board)
    public = await board.ask("dave", "How do I prepare for salary negotiation?", channel=PUBLIC)
    hits = await board.service.search(workspace=TEAM, text="salary", seen_from=PUBLIC)
    assert [hit.question.number for hit in hits] == [public.number]


async def test_search_in_the_private_channel_finds_its_question_and_answer(board: Board) -> None:
    question = await _private_question(board)
    hits = await board.service.search(workspace=TEAM, text="salary notes", seen_from=PRIVATE)
    assert {hit.question.number for hit in hits} == {question.number}
    assert len(hits) == 2
