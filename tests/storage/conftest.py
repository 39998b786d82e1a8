"""Fixtures for the storage tests: every store the suite runs against, each fresh per test.

SQLite is a real file under tmp_path. PostgreSQL is a fresh schema in the real database named by
QABOT_TEST_POSTGRES_DSN (`.ci/run` sets it), reached through `?search_path=` in the store URL and
dropped afterwards; without the variable the PostgreSQL cases skip, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.ports import Store
from storage import open_store

POSTGRES_DSN = os.environ.get("QABOT_TEST_POSTGRES_DSN", "")
NO_POSTGRES = "QABOT_TEST_POSTGRES_DSN is not set: no PostgreSQL to test against"

FreshUrl = Callable[[str], Awaitable[str]]


async def _admin() -> Any:
    asyncpg = pytest.importorskip("asyncpg")
    return await asyncpg.connect(POSTGRES_DSN)


@pytest.fixture
async def fresh_url(tmp_path: Path) -> AsyncIterator[FreshUrl]:
    """A factory of empty store URLs: `await fresh_url("sqlite")` or `("postgres")`."""
    schemas: list[str] = []

    async def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'qabot-{uuid.uuid4().hex[:8]}.db'}"
        if not POSTGRES_DSN:
            pytest.skip(NO_POSTGRES)
        schema = f"qabot_test_{uuid.uuid4().hex[:12]}"
        admin = await _admin()
        try:
            await admin.execute(f"CREATE SCHEMA {schema}")
        finally:
            await admin.close()
        schemas.append(schema)
        joiner = "&" if "?" in POSTGRES_DSN else "?"
        return f"{POSTGRES_DSN}{joiner}search_path={schema}"

    yield make
    if schemas:
        admin = await _admin()
        try:
            for schema in schemas:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await admin.close()


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
