"""A web page's reads on PostgreSQL share one pooled connection (storage/postgres/held.py):
the task that holds it reads on it, any other task still reads through the pool."""

from __future__ import annotations

import asyncio

import pytest

from storage import open_store
from storage.postgres import PostgresStore
from storage.postgres.held import holding, source
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, ask

pytest.importorskip("asyncpg")

_BACKEND = "SELECT pg_backend_pid()"


async def _store(fresh_url: FreshUrl) -> PostgresStore:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    await ask(store, "How do I grow into a staff engineer role?", asker="U_ASKER")
    return store


async def test_a_held_connection_serves_its_task_and_returns_to_the_pool(
    fresh_url: FreshUrl,
) -> None:
    store = await _store(fresh_url)
    pool = store._web_pool
    try:
        assert source(pool) is pool
        async with holding(pool):
            held = source(pool)
            assert held is not pool
            first = await held.fetchval(_BACKEND)
            assert await source(pool).fetchval(_BACKEND) == first
            assert source(store._pool) is store._pool  # another pool: not this connection
        assert source(pool) is pool
        assert pool.get_idle_size() == pool.get_size()
    finally:
        await store.close()


async def test_another_task_reads_through_the_pool_while_a_page_holds_a_connection(
    fresh_url: FreshUrl,
) -> None:
    store = await _store(fresh_url)
    try:
        async with store.web_reads():

            async def elsewhere() -> int:
                # Started inside the page's stretch, so it sees the held connection in its
                # context: it must not use it while the page does.
                await store.web_question(SLACK, 1)
                return int(await source(store._web_pool).fetchval(_BACKEND))

            other = asyncio.create_task(elsewhere())
            mine = await asyncio.gather(
                store.web_question(SLACK, 1), store.web_names(SLACK, ["U_ASKER"])
            )
            page_backend = await source(store._web_pool).fetchval(_BACKEND)
            assert mine[0] is not None and mine[0].number == 1
            assert await other != page_backend
    finally:
        await store.close()


async def test_a_pages_reads_in_one_stretch_see_what_they_saw_one_by_one(
    fresh_url: FreshUrl,
) -> None:
    store = await _store(fresh_url)
    try:
        await store.set_headline(SLACK, "U_ASKER", "Tech lead")
        await store.set_channel_name(SLACK, "C1", "careers")
        alone = (
            await store.web_question(SLACK, 1),
            await store.web_similar(SLACK, ["staff", "engineer"], channels=None, limit=5),
            await store.web_names(SLACK, ["U_ASKER"]),
            await store.channel_names(SLACK, ["C1"]),
        )
        async with store.web_reads():
            held = (
                await store.web_question(SLACK, 1),
                await store.web_similar(SLACK, ["staff", "engineer"], channels=None, limit=5),
                await store.web_names(SLACK, ["U_ASKER"]),
                await store.channel_names(SLACK, ["C1"]),
            )
        assert held == alone
        assert alone[0] is not None and [q.number for q in alone[1]] == [1]
        assert alone[2].headlines == {"U_ASKER": "Tech lead"}
        assert alone[3] == {"C1": "careers"}
    finally:
        await store.close()
