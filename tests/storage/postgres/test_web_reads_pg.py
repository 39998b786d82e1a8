"""PostgreSQL and the web view: the site reads on connections of its own, and the front page's
best answers of the month across every channel come from posts_ranked_workspace alone."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.domain import TopQuery, Window
from bot.ports import WebFilter
from storage import open_store
from storage.postgres import PostgresStore, sql
from tests.conftest import FreshUrl
from tests.storage.builders import NOW, SLACK, answer, ask
from tests.storage.postgres.test_top import _OTHER_CHANNELS, _SOME_VOTES, _nodes

pytest.importorskip("asyncpg")


async def test_web_reads_are_served_while_every_main_connection_is_busy(
    fresh_url: FreshUrl,
) -> None:
    store = await open_store(await fresh_url("postgres"), pool_size=1)
    assert isinstance(store, PostgresStore)
    try:
        await ask(store, "Where do I start?")
        async with store._pool.acquire():  # the main pool's only connection, held
            page = await asyncio.wait_for(store.web_question(SLACK, 1), timeout=5)
            listed = await asyncio.wait_for(
                store.web_questions(SLACK, where=WebFilter(), since=None, limit=5), timeout=5
            )
    finally:
        await store.close()
    assert page is not None and page.text == "Where do I start?"
    assert [q.number for q in listed] == [1]


async def test_the_months_top_across_channels_stops_at_its_last_winner(
    fresh_url: FreshUrl,
) -> None:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    await ask(store)
    for _ in range(30):
        await answer(store, 1, at=NOW)
    await store._pool.execute(_OTHER_CHANNELS)  # 5,000 older answers in 200 other channels
    await store._pool.execute(_SOME_VOTES)
    # A window holding most answers, as a month does in a year of history.
    statement, args = sql.top_answers(
        ws=1, channel=None, since=1, tag=None, question=None, limit=10
    )
    try:
        await store._pool.execute("ANALYZE posts")
        ranked = await store.top_answers(
            SLACK, TopQuery(channel_id=None, window=Window.MONTH, limit=10), since=NOW
        )
        found = await store._pool.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", *args)
    finally:
        await store.close()
    assert len(ranked) == 10 and {r.question.number for r in ranked} == {1}
    candidates = [n for n in _nodes(json.loads(found)[0]["Plan"]) if n.get("Alias") == "a"]
    assert [(n["Node Type"], n["Index Name"]) for n in candidates] == [
        ("Index Only Scan", "posts_ranked_workspace")
    ]
    assert candidates[0]["Actual Rows"] == 10
