"""PostgreSQL /top reads a channel's answers in ranking order from posts_ranked and stops at the
last winner; only the winners' rows are read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage import open_store
from storage.postgres import PostgresStore, sql
from tests.conftest import FreshUrl
from tests.storage.builders import answer, ask

pytest.importorskip("asyncpg")


# Q2..Q201, one per channel C2..C201, each with 25 answers, in the same workspace.
_OTHER_CHANNELS = """
INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body, created_ms)
SELECT 1, 'Q', n, 'C' || n, 'U', 'u', 'q', 0 FROM generate_series(2, 201) AS n;
INSERT INTO posts (workspace_id, kind, number, question_id, channel_id, author_id, author_name,
                   body, created_ms)
SELECT 1, 'A', 30 + n, q.id, q.channel_id, 'U', 'u', 'a', n
FROM generate_series(1, 5000) AS n JOIN posts q ON q.kind = 'Q' AND q.number = 2 + n % 200"""

# Scores that differ and tie: rank_score follows ups and downs by itself.
_SOME_VOTES = "UPDATE posts SET ups = id % 7, downs = id % 3 WHERE kind = 'A'"


def _nodes(plan: dict[str, object]) -> list[dict[str, object]]:
    children = plan.get("Plans", [])
    assert isinstance(children, list)
    return [plan, *(node for child in children for node in _nodes(child))]


async def test_top_of_a_channel_this_week_stops_at_its_last_winner(
    fresh_url: FreshUrl,
) -> None:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    await ask(store)  # Q1 in C1
    for _ in range(30):
        await answer(store, 1)
    await store._pool.execute(_OTHER_CHANNELS)  # enough rows that the choice of index matters
    statement, args = sql.top_answers(ws=1, channel="C1", since=0, tag=None, question=None, limit=3)
    try:
        async with store._pool.acquire() as conn, conn.transaction():
            await conn.execute("ANALYZE posts")
            await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            found = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", *args)
    finally:
        await store.close()
    nodes = _nodes(json.loads(found)[0]["Plan"])
    candidates = [n for n in nodes if n.get("Alias") == "a"]
    assert [(n["Node Type"], n["Index Name"]) for n in candidates] == [
        ("Index Only Scan", "posts_ranked")
    ]
    assert candidates[0]["Actual Rows"] == 3  # of the channel's 30 answers in the window
    rows = [n for n in nodes if n.get("Alias") == "p"]
    assert [n["Actual Rows"] * n["Actual Loops"] for n in rows] == [3]  # only the winners


@pytest.mark.parametrize(
    "shape",
    [
        {"channel": "C1", "since": 3000, "tag": None, "question": None},
        {"channel": "C7", "since": None, "tag": None, "question": None},
        {"channel": "C1", "since": 0, "tag": "ml", "question": None},
        {"channel": None, "since": None, "tag": None, "question": 9},
        {"channel": None, "since": 4000, "tag": None, "question": None},
    ],
    ids=["channel-week", "channel-all", "channel-tag", "one-question", "workspace-week"],
)
async def test_top_ranks_the_same_through_its_generic_plan(
    fresh_url: FreshUrl, shape: dict[str, Any]
) -> None:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    await ask(store, tags=("ml",))
    for _ in range(30):
        await answer(store, 1)
    await store._pool.execute(_OTHER_CHANNELS)
    await store._pool.execute(_SOME_VOTES)
    statement, args = sql.top_answers(ws=1, limit=10, **shape)
    try:
        planned_per_call = [await store._pool.fetch(statement, *args) for _ in range(7)]
        planned_once = [await store._ranking_pool.fetch(statement, *args) for _ in range(7)]
        mode = await store._ranking_pool.fetchval("SHOW plan_cache_mode")
    finally:
        await store.close()
    assert mode == "force_generic_plan"
    assert planned_per_call[0]  # the shape finds answers
    assert planned_once == planned_per_call
