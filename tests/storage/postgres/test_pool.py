"""The PostgreSQL pool hands connections back without asyncpg's reset statement; nothing a caller
left half-done reaches the next caller."""

from __future__ import annotations

import pytest

from storage import open_store
from storage.postgres import PostgresStore
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, ask, q

pytest.importorskip("asyncpg")


async def _one_connection_store(fresh_url: FreshUrl) -> PostgresStore:
    store = await open_store(await fresh_url("postgres"), pool_size=1)
    assert isinstance(store, PostgresStore)
    await ask(store, "Where do I start?")
    return store


async def test_a_transaction_left_open_is_rolled_back_before_the_next_caller(
    fresh_url: FreshUrl,
) -> None:
    store = await _one_connection_store(fresh_url)
    try:
        async with store._pool.acquire() as conn:  # the pool's only connection
            await conn.execute("BEGIN")
            await conn.execute("UPDATE posts SET body = 'half-done'")
        found = await store.get_post(SLACK, q(1))
        await ask(store, "And then?")  # the same connection writes and commits normally
        second = await store.get_post(SLACK, q(2))
    finally:
        await store.close()
    assert found is not None and found.text == "Where do I start?"
    assert second is not None and second.text == "And then?"


async def test_a_pooled_statement_is_the_only_statement_sent(fresh_url: FreshUrl) -> None:
    store = await _one_connection_store(fresh_url)
    sent: list[str] = []
    try:
        await store.get_post(SLACK, q(1))  # prepared (asyncpg reads the array types once)
        async with store._pool.acquire() as conn:  # the pool's only connection
            conn.add_query_logger(lambda record: sent.append(record.query))
        found = await store.get_post(SLACK, q(1))
    finally:
        await store.close()
    assert found is not None
    assert len(sent) == 1 and "RESET" not in sent[0], sent  # no reset round trip after it
