"""`/top`: Wilson bound, then net score, then age; scoped by channel, window, tag, question."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import RankedAnswer, TopQuery, Window
from bot.errors import NotFound
from bot.voting import wilson_lower_bound
from storage.sqlite import sql as sqlite_sql
from tests.conftest import MODERATOR, START, TEAM, Board, FakeClock


async def top(board: Board, **query: object) -> Sequence[RankedAnswer]:
    options: dict[str, object] = {"channel_id": "C1", "window": Window.ALL} | query
    return await board.service.top(workspace=TEAM, query=TopQuery(**options))  # type: ignore[arg-type]


def ids(ranked: Sequence[RankedAnswer]) -> list[str]:
    return [str(entry.answer.post_id) for entry in ranked]


async def test_more_evidence_beats_a_perfect_ratio(board: Board) -> None:
    question = await board.ask()
    lucky = await board.answer("bob", question, "One vote, all up.")
    proven = await board.answer("carol", question, "Ten up, one down.")
    await board.votes(lucky, "👍", "u1")
    await board.votes(proven, "👍", *(f"v{n}" for n in range(10)))
    await board.votes(proven, "👎", "grump")
    assert ids(await top(board)) == ["A2", "A1"]


async def test_with_equal_bounds_the_higher_net_score_ranks_first(board: Board) -> None:
    question = await board.ask()
    disliked = await board.answer("bob", question, "Disliked.")
    await board.answer("carol", question, "Unvoted.")
    await board.votes(disliked, "👎", "u1")
    # Both bounds are 0: no up-votes at all.
    assert ids(await top(board)) == ["A2", "A1"]


@pytest.mark.parametrize("downs", [2, 3, 7])
async def test_only_down_votes_never_outrank_an_unvoted_answer(board: Board, downs: int) -> None:
    question = await board.ask()
    disliked = await board.answer("bob", question, "Disliked.")
    await board.answer("carol", question, "Unvoted.")
    await board.votes(disliked, "👎", *(f"v{n}" for n in range(downs)))
    assert ids(await top(board)) == ["A2", "A1"]


async def test_more_down_votes_rank_lower(board: Board) -> None:
    question = await board.ask()
    three = await board.answer("bob", question, "Three down.")
    two = await board.answer("carol", question, "Two down.")
    await board.votes(three, "👎", "v1", "v2", "v3")
    await board.votes(two, "👎", "v1", "v2")
    assert ids(await top(board)) == ["A2", "A1"]


async def test_with_equal_votes_the_older_answer_ranks_first(
    board: Board, clock: FakeClock
) -> None:
    question = await board.ask()
    await board.answer("bob", question, "Older.")
    clock.advance(minutes=5)
    await board.answer("carol", question, "Newer.")
    assert ids(await top(board)) == ["A1", "A2"]


async def test_the_accepted_answer_has_a_badge_but_votes_decide_the_order(board: Board) -> None:
    question = await board.ask()
    accepted = await board.answer("bob", question, "Accepted.")
    popular = await board.answer("carol", question, "Popular.")
    await board.votes(popular, "👍", "u1", "u2")
    await board.service.accept(actor=board.user("alice"), answer=accepted.post_id)
    ranked = await top(board)
    assert [(str(r.answer.post_id), r.accepted) for r in ranked] == [
        ("A2", False),
        ("A1", True),
    ]


async def test_top_shows_only_the_channel_asked_about(board: Board) -> None:
    await board.answer("bob", await board.ask(channel="C1"), "Here.")
    await board.answer("bob", await board.ask(channel="C2"), "Elsewhere.")
    assert ids(await top(board, channel_id="C2")) == ["A2"]


WINDOWS = {
    Window.DAY: ["A4"],
    Window.WEEK: ["A4", "A3"],
    Window.MONTH: ["A4", "A3", "A2"],
    Window.YEAR: ["A4", "A3", "A2", "A1"],
}


@pytest.mark.parametrize(("window", "expected"), WINDOWS.items(), ids=str)
async def test_a_window_counts_answers_written_in_it(
    board: Board, clock: FakeClock, window: Window, expected: list[str]
) -> None:
    question = await board.ask()
    for age_days in (300, 20, 3, 0.5):
        clock.now = START - timedelta(days=age_days)
        await board.answer("bob", question, f"{age_days} days old.")
    clock.now = START
    ranked = await top(board, window=window)
    assert sorted(ids(ranked)) == sorted(expected)


async def test_all_time_includes_answers_older_than_a_year(board: Board, clock: FakeClock) -> None:
    question = await board.ask()
    clock.advance(days=-400)
    await board.answer("bob", question, "Ancient wisdom.")
    clock.advance(days=400)
    assert ids(await top(board, window=Window.ALL)) == ["A1"]
    assert ids(await top(board, window=Window.YEAR)) == []


async def test_a_tag_scope_shows_answers_to_tagged_questions_only(board: Board) -> None:
    await board.answer("bob", await board.ask(text="Into ML? #ml"), "Tagged.")
    await board.answer("bob", await board.ask(text="Into sales? #sales"), "Other tag.")
    assert ids(await top(board, tag="ml")) == ["A1"]


async def test_a_question_scope_shows_that_questions_answers_only(board: Board) -> None:
    first = await board.ask(channel="C1")
    await board.answer("bob", first, "For Q1.")
    await board.answer("carol", await board.ask(channel="C2"), "For Q2.")
    await board.answer("dave", first, "Also for Q1.")
    ranked = await top(board, channel_id=None, question=1)
    assert sorted(ids(ranked)) == ["A1", "A3"]


async def test_a_question_scope_with_an_unknown_question_is_not_found(board: Board) -> None:
    with pytest.raises(NotFound, match=r"There is no Q7 here\."):
        await top(board, channel_id=None, question=7)


async def test_top_never_shows_the_asker_of_an_anonymous_question(board: Board) -> None:
    question = await board.ask("alice", "Am I underpaid?", anonymous=True)
    await board.answer("bob", question)
    (entry,) = await top(board)
    assert entry.question.shown_asker == "Anonymous"


async def test_a_removed_answer_leaves_top(board: Board) -> None:
    question = await board.ask()
    await board.answer("bob", question, "Spam.")
    await board.answer("carol", question, "Useful.")
    await board.service.remove(actor=board.user(MODERATOR), post="A1")
    assert ids(await top(board)) == ["A2"]


async def test_a_removed_question_takes_its_answers_out_of_top(board: Board) -> None:
    await board.answer("bob", await board.ask(), "Answer.")
    await board.service.remove(actor=board.user(MODERATOR), post="Q1")
    assert ids(await top(board)) == []


async def test_top_stops_at_the_limit(board: Board) -> None:
    question = await board.ask()
    for n in range(4):
        await board.answer(f"user{n}", question, f"Answer {n}.")
    assert len(await top(board, limit=3)) == 3


@pytest.mark.parametrize(
    "shape",
    [
        {"channel": True, "since": True, "tag": False, "question": False},
        {"channel": True, "since": False, "tag": False, "question": False},
        {"channel": True, "since": True, "tag": True, "question": False},
        {"channel": False, "since": False, "tag": False, "question": True},
    ],
    ids=["channel-week", "channel-all", "channel-week-tag", "one-question"],
)
async def test_the_top_query_reads_posts_through_an_index(
    board: Board, db_path: Path, shape: dict[str, bool]
) -> None:
    await board.answer("bob", await board.ask())
    statement = sqlite_sql.top_answers(**shape)
    params = {"ws": 1, "channel": "C1", "since": 0, "tag": "ml", "question": 1, "limit": 10}
    with sqlite3.connect(db_path) as db:
        db.create_function("wilson", 2, wilson_lower_bound)
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
    reads_of_answers = [step for step in plan if step.startswith(("SCAN a", "SEARCH a "))]
    assert reads_of_answers and all(
        "USING" in step and "INDEX" in step for step in reads_of_answers
    )
    if shape["channel"]:  # the index narrows to the channel, not just to the workspace
        assert all("channel_id=?" in step for step in reads_of_answers)
    assert not [step for step in plan if step.startswith("SCAN") and "INDEX" not in step]
