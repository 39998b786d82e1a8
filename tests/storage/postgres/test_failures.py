"""PostgreSQL failures reach people as one friendly sentence; conflicts are retried."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import SettingsError, StoreUnavailable
from storage import open_store
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, ask, q

asyncpg = pytest.importorskip("asyncpg")


async def test_a_database_that_refuses_connections_is_unavailable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Checked before the store opens: one line naming the address, nothing logged on top.
    with pytest.raises(SettingsError, match=r"nothing accepts connections at 127\.0\.0\.1:1"):
        await open_store("postgresql://postgres@127.0.0.1:1/test")
    assert "cannot connect to PostgreSQL" not in caplog.text


async def test_a_closed_pool_is_unavailable_not_a_crash(fresh_url: FreshUrl) -> None:
    store = await open_store(await fresh_url("postgres"))
    await ask(store)
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.get_post(SLACK, q(1))
    with pytest.raises(StoreUnavailable):
        await ask(store)
    with pytest.raises(StoreUnavailable):  # a web page's held connection
        async with store.web_reads():
            pass


async def test_a_serialization_failure_is_retried(fresh_url: FreshUrl) -> None:
    from storage.postgres import PostgresStore

    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    attempts = []

    async def conflicted_once(conn: Any) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise asyncpg.SerializationError("could not serialize access")
        return int(await conn.fetchval("SELECT 7"))

    try:
        assert await store._db.write(conflicted_once) == 7
        assert len(attempts) == 2
    finally:
        await store.close()


async def test_a_write_that_keeps_conflicting_gives_up_politely(fresh_url: FreshUrl) -> None:
    from storage.postgres import PostgresStore

    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)

    async def always_deadlocked(conn: Any) -> None:
        raise asyncpg.DeadlockDetectedError("deadlock detected")

    try:
        with pytest.raises(StoreUnavailable):
            await store._db.write(always_deadlocked)
    finally:
        await store.close()
