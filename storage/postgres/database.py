"""The PostgreSQL store's plumbing, shared by its parts: the pool, transactions with retries,
error mapping, migrations and the one cache of workspace ids.

Every write is one READ COMMITTED transaction. Serialization failures and deadlocks are retried;
any other database failure becomes StoreUnavailable, with the cause in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]

from bot.domain import WorkspaceRef
from bot.errors import StoreUnavailable
from storage.migrations import migrations_for
from storage.postgres.sql import (
    APPLIED_VERSIONS,
    CREATE_MIGRATIONS_TABLE,
    INSERT_WORKSPACE,
    MIGRATION_LOCK,
    RECORD_MIGRATION,
    SELECT_WORKSPACE,
)
from storage.rows import Row

__all__ = ["FAILURES", "UNAVAILABLE", "Database", "fail_waiting", "keep_session", "rowcount"]

log = logging.getLogger("qabot.storage")

T = TypeVar("T")

UNAVAILABLE = "The Q&A store is unavailable right now; nothing was changed. Please try again."
FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def fail_waiting(futures: Iterable[asyncio.Future[Any]], error: BaseException, what: str) -> None:
    """A shared statement failed (or was cancelled): every caller still waiting on it hears that
    the store is unavailable, none waits forever; a database failure is logged once."""
    if isinstance(error, FAILURES):
        log.error("PostgreSQL error in %s: %r", what, error)
    for future in futures:
        if not future.done():
            future.set_exception(StoreUnavailable(UNAVAILABLE))


_RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)
_ATTEMPTS = 5


async def keep_session(conn: Any) -> None:
    """The pool's `reset`: nothing to undo when a connection goes back to the pool.

    asyncpg's default reset sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    after every pooled call, a second round trip for each statement the store sends. The store
    creates none of that session state (advisory locks are transaction-scoped, no SET, LISTEN or
    cursors outside a transaction), and asyncpg still rolls back a transaction left open before
    this runs."""


def rowcount(status: str) -> int:
    """asyncpg returns a command tag such as `INSERT 0 1` or `DELETE 3`."""
    return int(status.rsplit(" ", 1)[-1])


class Database:
    """The main pool, and what every part needs on it."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self._workspaces: dict[WorkspaceRef, int] = {}

    def forget_workspaces(self) -> None:
        """Drop every cached workspace id (after a load replaced the workspace rows)."""
        self._workspaces.clear()

    async def migrate(self) -> int:
        """Apply every schema file newer than the database, all under one advisory lock."""

        async def apply(conn: Any) -> int:
            await conn.execute(MIGRATION_LOCK)
            await conn.execute(CREATE_MIGRATIONS_TABLE)
            applied = {row["version"] for row in await conn.fetch(APPLIED_VERSIONS)}
            pending = [m for m in migrations_for("postgres") if m.version not in applied]
            for migration in pending:
                await conn.execute(migration.sql)
                await conn.execute(RECORD_MIGRATION, migration.version, migration.name)
                log.info("applied schema migration %04d_%s", migration.version, migration.name)
            return len(pending)

        return await self.write(apply)

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        try:
            yield
        except FAILURES as error:
            if not isinstance(error, _RETRYABLE):  # write logs those: retried or given up
                log.error("PostgreSQL error: %r", error)
            raise StoreUnavailable(UNAVAILABLE) from error

    async def write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run `work` in a transaction; retry it when PostgreSQL asks us to."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self.guard(), self.pool.acquire() as conn, conn.transaction():
                    return await work(conn)
            except StoreUnavailable as error:
                if not isinstance(error.__cause__, _RETRYABLE):
                    raise
                if attempt == _ATTEMPTS:
                    log.error("PostgreSQL error after %d attempts: %r", attempt, error.__cause__)
                    raise
                log.warning("retrying a write after %r", error.__cause__)
                await asyncio.sleep(0.005 * 2**attempt)
        raise AssertionError("unreachable")

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        async with self.guard():
            row: Row | None = await self.pool.fetchrow(query, *args)
            return row

    async def fetch(self, query: str, *args: Any) -> list[Row]:
        async with self.guard():
            rows: list[Row] = await self.pool.fetch(query, *args)
            return rows

    async def workspace_id(self, workspace: WorkspaceRef) -> int:
        """The workspace's row id, created on first use outside any other transaction, so a
        rolled-back write never leaves a cached id that does not exist."""
        cached = self._workspaces.get(workspace)
        if cached is None:
            key = (workspace.platform, workspace.workspace_id)
            async with self.guard():
                await self.pool.execute(INSERT_WORKSPACE, *key)
                cached = self._workspaces[workspace] = int(
                    await self.pool.fetchval(SELECT_WORKSPACE, *key)
                )
        return cached

    async def known_workspace(self, workspace: WorkspaceRef) -> int:
        """For reads: the workspace's id, or 0 (no row has it) for one never seen."""
        cached = self._workspaces.get(workspace)
        if cached is not None:
            return cached
        async with self.guard():
            found = await self.pool.fetchval(
                SELECT_WORKSPACE, workspace.platform, workspace.workspace_id
            )
        if found is None:
            return 0
        self._workspaces[workspace] = int(found)
        return int(found)
