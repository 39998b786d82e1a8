"""`forgetme` is an opt-out that lasts: what a forgotten person does next, and `rejoin`."""

from __future__ import annotations

import pytest

from bot.domain import TopQuery, Window
from bot.errors import VoteIgnored
from bot.replies import FORGOTTEN_NAME
from tests.conftest import CHANNEL, TEAM, Board


async def forget(board: Board, who: str) -> None:
    await board.service.forget_me(user=board.user(who), confirmed=True)


async def test_a_forgotten_persons_reaction_is_refused_saying_how_to_rejoin(board: Board) -> None:
    question = await board.ask("alice")
    answer = await board.answer("bob", question)
    await forget(board, "carol")
    with pytest.raises(VoteIgnored, match="/qa rejoin"):
        await board.votes(answer, "👍", "carol")
    found = await board.service.get(TEAM, answer.post_id)
    assert (found.ups, found.downs) == (0, 0)


async def test_a_forgotten_persons_new_question_never_shows_their_name(board: Board) -> None:
    await forget(board, "carol")
    question = await board.ask("carol", "Can I still ask after forgetme?")
    assert question.asker_name == FORGOTTEN_NAME
    data = await board.service.my_data(user=board.user("carol"))
    assert "Can I still ask after forgetme?" in data.json_text  # still theirs to see and export


async def test_a_forgotten_persons_new_answer_shows_as_anonymous_in_top(board: Board) -> None:
    question = await board.ask("alice")
    await forget(board, "carol")
    await board.answer("carol", question, "Still helping, without my name.")
    (ranked,) = await board.service.top(
        workspace=TEAM, query=TopQuery(channel_id=CHANNEL, window=Window.ALL)
    )
    assert (ranked.answer.author_name, ranked.answer.text) == (
        FORGOTTEN_NAME,
        "Still helping, without my name.",
    )


async def test_the_asker_can_still_accept_after_forgetme(board: Board) -> None:
    await forget(board, "alice")
    question = await board.ask("alice", "Which offer should I take?")
    answer = await board.answer("bob", question)
    accepted, _ = await board.service.accept(actor=board.user("alice"), answer=answer.post_id)
    assert accepted.post_id == answer.post_id


async def test_rejoin_counts_reactions_again_and_names_new_posts(board: Board) -> None:
    question = await board.ask("alice")
    answer = await board.answer("bob", question)
    await forget(board, "carol")
    rejoined = await board.service.rejoin(user=board.user("carol"))
    await board.votes(answer, "👍", "carol")
    again = await board.ask("carol", "Back again: how do I ask for feedback?")
    found = await board.service.get(TEAM, answer.post_id)
    assert (rejoined.was_forgotten, found.ups, again.asker_name) == (True, 1, "Carol")


async def test_rejoin_without_forgetme_says_there_was_nothing_to_undo(board: Board) -> None:
    rejoined = await board.service.rejoin(user=board.user("dave"))
    assert rejoined.was_forgotten is False
