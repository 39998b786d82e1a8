"""Many people at once: numbers stay unique and every vote counts exactly once."""

from __future__ import annotations

import asyncio

from bot.domain import VoteStatus
from tests.conftest import TEAM, Board


async def test_questions_asked_at_the_same_moment_get_distinct_numbers(board: Board) -> None:
    asked = await asyncio.gather(*(board.ask(f"user{n}", f"Question {n}?") for n in range(12)))
    assert sorted(question.number for question in asked) == list(range(1, 13))


async def test_simultaneous_votes_each_count_once(board: Board) -> None:
    answer = await board.answer("bob", await board.ask())
    voters = [f"voter{n}" for n in range(15)]
    await asyncio.gather(*(board.votes(answer, "👍", voter) for voter in voters))
    post = await board.service.get(TEAM, answer.post_id)
    assert (post.ups, post.downs) == (15, 0)


async def test_the_same_reaction_delivered_twice_at_once_counts_once(board: Board) -> None:
    answer = await board.answer("bob", await board.ask())
    voter = board.user("carol")
    outcomes = await asyncio.gather(
        *(board.service.react(voter=voter, target=answer.post_id, emoji="👍") for _ in range(5))
    )
    statuses = [outcome.status for outcome in outcomes]
    assert statuses.count(VoteStatus.COUNTED) == 1
    assert len(board.snapshot()["votes"]) == 1
