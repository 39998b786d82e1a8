"""Fixtures for the storage tests: every store the suite runs against, each fresh per test.

SQLite is a real file under tmp_path. PostgreSQL is a fresh schema in the real database named by
QABOT_TEST_POSTGRES_DSN (`.ci/run` sets it), reached through `?search_path=` in the store URL and
dropped afterwards; without the variable the PostgreSQL cases skip, saying why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.ports import Store
from storage import open_store
from tests.conftest import FreshUrl


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
async def store_url(store_kind: str, fresh_url: FreshUrl) -> str:
    return await fresh_url(store_kind)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url, pool_size=10)
    yield opened
    await opened.close()


async def raw_fetch(store: Store, query: str) -> list[tuple[Any, ...]]:
    """Read a store's tables behind its back: the same SQL text works in both dialects."""
    from storage.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return [tuple(row) for row in await store._db.execute_fetchall(query)]
    return [tuple(row) for row in await store._pool.fetch(query)]  # type: ignore[attr-defined]


async def raw_execute(store: Store, statement: str) -> None:
    from storage.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        await store._db.execute(statement)
        await store._db.commit()
    else:
        await store._pool.execute(statement)  # type: ignore[attr-defined]
