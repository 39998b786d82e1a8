"""The SQLite store's aiosqlite connection, shared by its parts: one unit of work at a time.

Coroutines share the connection and must not see or join each other's half-done transactions,
so every unit of work (a transaction, or a read) runs under one asyncio lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from bot.domain import WorkspaceRef
from bot.errors import StoreUnavailable
from storage.sqlite.sql import INSERT_WORKSPACE, SELECT_WORKSPACE
from storage.sqlite.workspaces import WorkspaceIds

__all__ = ["UNAVAILABLE", "Params", "Session"]

log = logging.getLogger("qabot.storage")

UNAVAILABLE = "The Q&A store is unavailable right now; nothing was changed. Please try again."
Params = Sequence[Any] | Mapping[str, Any]


class Session:
    def __init__(
        self, db: aiosqlite.Connection, workspaces: WorkspaceIds, *, read_only: bool = False
    ) -> None:
        self.db = db
        self.lock = asyncio.Lock()
        self.workspaces = workspaces
        self._read_only = read_only  # then a workspace never seen is not inserted, only missed

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """A database failure becomes StoreUnavailable (logged), with no transaction left open."""
        try:
            yield
        except sqlite3.Error as error:
            log.error("SQLite error: %s", error)
            if self.db.in_transaction:
                self.workspaces.clear()
                await self.db.rollback()
            raise StoreUnavailable(UNAVAILABLE) from error

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.lock, self.guard():
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                # A QAError (NotFound) must not leave the transaction open, nor a cached id of a
                # workspace row that the rollback removes: cleared first, so that the writer
                # never takes the id up in between.
                self.workspaces.clear()
                await self.db.rollback()
                raise
            await self.db.commit()

    async def workspace_id(self, db: aiosqlite.Connection, workspace: WorkspaceRef) -> int:
        """The workspace's row id, inserted on first use; call it holding the lock. A read-only
        session's is 0, which no row has, for a workspace never seen."""
        cached = self.workspaces.get(workspace)
        if cached is None:
            key = (workspace.platform, workspace.workspace_id)
            if not self._read_only:
                await db.execute(INSERT_WORKSPACE, key)
            rows = list(await db.execute_fetchall(SELECT_WORKSPACE, key))
            if not rows:
                return 0
            cached = self.workspaces.remember(workspace, rows[0][0])
        return cached

    async def one(self, query: str, params: Params) -> sqlite3.Row | None:
        """The first row of a query, on the connection the caller holds the lock of."""
        rows = list(await self.db.execute_fetchall(query, params))
        return rows[0] if rows else None

    async def read(
        self, workspace: WorkspaceRef, query: str, params: Mapping[str, Any]
    ) -> list[sqlite3.Row]:
        """A query's rows, with the workspace's row id as `:ws`."""
        async with self.lock, self.guard():
            ws = await self.workspace_id(self.db, workspace)
            return list(await self.db.execute_fetchall(query, {**params, "ws": ws}))
