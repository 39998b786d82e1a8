"""`/qa headline`: what a person says about themselves shows next to their name in lists, never
for an anonymous question, in their exported data, and is gone after forgetme."""

from __future__ import annotations

import json

import pytest

from bot.domain import TopQuery, Window
from bot.errors import InvalidInput
from bot.headlines import HeadlineChanged
from bot.surfacing_verbs import run_surfacing_verb
from tests.conftest import CHANNEL, TEAM, Board

STAFF = "Staff engineer at Acme"


async def _headline(board: Board, who: str, rest: str) -> HeadlineChanged:
    reply = await run_surfacing_verb(
        board.service, verb="headline", rest=rest, user=board.user(who), channel_id=CHANNEL
    )
    assert isinstance(reply, HeadlineChanged)
    return reply


async def _top_bylines(board: Board) -> list[str]:
    query = TopQuery(channel_id=CHANNEL, window=Window.ALL)
    ranked = await board.service.top(workspace=TEAM, query=query, seen_from=CHANNEL)
    return [entry.answer.byline for entry in ranked]


async def test_top_shows_an_answerers_headline_next_to_their_name(board: Board) -> None:
    await _headline(board, "bob", STAFF)
    await board.answer("bob", await board.ask("alice"))
    assert await _top_bylines(board) == [f"Bob ({STAFF})"]


async def test_headline_clear_shows_the_name_alone_again(board: Board) -> None:
    await _headline(board, "bob", STAFF)
    reply = await _headline(board, "bob", "clear")
    await board.answer("bob", await board.ask("alice"))
    assert "removed" in reply.sentence
    assert await _top_bylines(board) == ["Bob"]


async def test_a_headline_longer_than_80_characters_is_refused(board: Board) -> None:
    with pytest.raises(InvalidInput, match="the limit is 80"):
        await _headline(board, "bob", "x" * 81)
    await board.answer("bob", await board.ask("alice"))
    assert await _top_bylines(board) == ["Bob"]


async def test_headline_without_text_says_how_to_use_it(board: Board) -> None:
    with pytest.raises(InvalidInput, match="headline clear"):
        await _headline(board, "bob", "  ")


async def test_an_anonymous_askers_headline_is_never_shown(board: Board) -> None:
    await _headline(board, "alice", STAFF)
    question = await board.ask("alice", anonymous=True)
    await board.answer("bob", question)
    query = TopQuery(channel_id=CHANNEL, window=Window.ALL)
    [entry] = await board.service.top(workspace=TEAM, query=query, seen_from=CHANNEL)
    assert entry.question.shown_byline == "Anonymous"
    assert entry.question.asker_headline == ""


async def test_similar_questions_show_the_earlier_askers_headline(board: Board) -> None:
    await _headline(board, "alice", STAFF)
    await board.ask("alice", "How do I negotiate a higher salary for a new job offer?")
    later = await board.ask("zoe", "What's the best way to negotiate salary for a job offer?")
    found = await board.service.similar_questions(later)
    assert [s.question.shown_byline for s in found.similar] == [f"Alice ({STAFF})"]


async def test_mydata_includes_the_headline(board: Board) -> None:
    await _headline(board, "alice", STAFF)
    export = await board.service.my_data(user=board.user("alice"))
    assert json.loads(export.json_text)["headline"] == STAFF


async def test_forgetme_deletes_the_headline(board: Board) -> None:
    await _headline(board, "bob", STAFF)
    await board.answer("bob", await board.ask("alice"))
    await board.service.forget_me(user=board.user("bob"), confirmed=True)
    export = await board.service.my_data(user=board.user("bob"))
    assert json.loads(export.json_text)["headline"] is None
    assert await _top_bylines(board) == ["Anonymous"]


async def test_a_forgotten_person_cannot_set_a_headline_until_they_rejoin(board: Board) -> None:
    await board.service.forget_me(user=board.user("bob"), confirmed=True)
    with pytest.raises(InvalidInput, match="rejoin"):
        await _headline(board, "bob", STAFF)
