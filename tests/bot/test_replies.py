"""The sentences every platform says the same way, whichever way the person acted."""

from __future__ import annotations

import json

from bot.domain import PostId, PostKind, VoteOutcome, VoteStatus
from bot.replies import accepted_sentence, removed_sentence, vote_sentence
from tests.conftest import MODERATOR, Board

A1 = PostId(PostKind.ANSWER, 1)


def test_up_and_down_by_one_person_say_they_cancel_out() -> None:
    outcome = VoteOutcome(A1, VoteStatus.COUNTED, 0, 0, cancelled=True)
    assert vote_sentence(outcome, "👎") == (
        "Your 👎 on A1 cancels out your earlier opposite reaction: you have no vote on it. "
        "Score +0 (↑0 ↓0)."
    )


async def test_accepting_by_reaction_and_by_command_say_the_same_sentence(board: Board) -> None:
    question = await board.ask("alice")
    answer = await board.answer("bob", question)
    by_reaction = await board.service.react(
        voter=board.user("alice"), target=answer.post_id, emoji="✅"
    )
    by_command, asked = await board.service.accept(actor=board.user("alice"), answer="A1")
    assert vote_sentence(by_reaction, "✅") == accepted_sentence(by_command.post_id, asked.post_id)


async def test_the_remove_sentence_agrees_with_what_a_voter_still_finds_in_mydata(
    board: Board,
) -> None:
    answer = await board.answer("bob", await board.ask("alice"))
    await board.votes(answer, "👍", "carol")
    removed = await board.service.remove(actor=board.user(MODERATOR), post="A1")
    mine = json.loads((await board.service.my_data(user=board.user("carol"))).json_text)
    assert [vote["post"] for vote in mine["votes"]] == ["A1"]
    assert removed_sentence(removed) == (
        "A1 is removed: it no longer shows anywhere, and votes on it no longer count."
    )
