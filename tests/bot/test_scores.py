"""Scores are derived from the vote rows; a recount repairs any count that drifted."""

from __future__ import annotations

import pytest

from bot.domain import Answer, TopQuery, Window
from bot.errors import NotAllowed
from tests.conftest import MODERATOR, OTHER_TEAM, TEAM, Board


@pytest.fixture
async def answer(board: Board) -> Answer:
    answer = await board.answer("bob", await board.ask("alice"))
    await board.votes(answer, "👍", "carol", "dave")
    await board.votes(answer, "👎", "erin")
    return answer


async def test_the_count_on_a_post_matches_its_vote_rows(board: Board, answer: Answer) -> None:
    rows = board.snapshot()["votes"]
    post = await board.service.get(TEAM, answer.post_id)
    assert (post.ups, post.downs) == (2, 1)
    assert len(rows) == 3


async def test_recount_repairs_a_count_corrupted_in_the_file(board: Board, answer: Answer) -> None:
    board.execute("UPDATE posts SET ups = 99, downs = 7 WHERE kind = 'A'")
    changed = await board.service.recount(actor=board.user(MODERATOR))
    post = await board.service.get(TEAM, answer.post_id)
    assert (changed, post.ups, post.downs) == (1, 2, 1)


async def test_recount_repairs_the_ranking_too(board: Board, answer: Answer) -> None:
    question = await board.service.get(TEAM, "Q1")
    await board.answer("frank", question, "Unvoted.")  # type: ignore[arg-type]
    board.execute("UPDATE posts SET rank_score = 1.0 WHERE kind = 'A' AND number = 2")
    await board.service.recount(actor=board.user(MODERATOR))
    query = TopQuery(channel_id="C1", window=Window.ALL)
    ranked = await board.service.top(workspace=TEAM, query=query)
    assert [str(entry.answer.post_id) for entry in ranked] == ["A1", "A2"]


async def test_recount_of_healthy_counts_changes_nothing(board: Board, answer: Answer) -> None:
    before = board.snapshot()
    assert await board.service.recount(actor=board.user(MODERATOR)) == 0
    assert board.snapshot() == before


async def test_recount_by_someone_who_does_not_moderate_is_refused(
    board: Board, answer: Answer
) -> None:
    board.execute("UPDATE posts SET ups = 99 WHERE kind = 'A'")
    before = board.snapshot()
    with pytest.raises(NotAllowed, match=r"Only moderators can recount votes\."):
        await board.service.recount(actor=board.user("carol"))
    assert board.snapshot() == before


async def test_recount_in_one_workspace_leaves_another_alone(board: Board, answer: Answer) -> None:
    elsewhere = await board.answer("zed", await board.ask("yan", workspace=OTHER_TEAM))
    await board.votes(elsewhere, "👍", "xia")
    board.execute("UPDATE posts SET ups = 50")
    await board.service.recount(actor=board.user(MODERATOR))
    post = await board.service.get(OTHER_TEAM, elsewhere.post_id)
    assert post.ups == 50
