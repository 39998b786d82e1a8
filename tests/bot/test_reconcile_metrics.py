"""Catch-up reports how many posts it compared with the platform."""

from __future__ import annotations

from bot.metrics import NoMetrics
from tests.bot.test_reconcile import FakeView, catch_up, posted, replied
from tests.conftest import TEAM, Board


class CountedPosts(NoMetrics):
    def __init__(self) -> None:
        self.posts = 0

    def catchup_posts(self, count: int) -> None:
        self.posts += count


async def test_catch_up_counts_each_question_and_answer_it_compared(board: Board) -> None:
    view, counted = FakeView(), CountedPosts()
    board.service.metrics = counted
    for asker in ("alice", "erin"):
        question = await posted(board, view, asker)
        await replied(board, view, question, "bob")
    await catch_up(board, view).run(TEAM)
    assert counted.posts == 4
