"""Whole-table dump and load for the SQLite store: what copy-store moves."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Mapping

from storage.sqlite.session import Session
from storage.sqlite.sql import DROP_OPTED_OUT, RECOUNT
from storage.tables import NOT_CARRIED, TABLES, TableBatch, TargetNotEmpty

__all__ = ["SqliteDump"]

_ANY_WORKSPACE = "SELECT EXISTS (SELECT 1 FROM workspaces)"


class SqliteDump:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._db = session.db

    async def count_rows(self) -> Mapping[str, int]:
        counts = {}
        async with self._session.lock:
            for table, *_ in TABLES:
                rows = list(await self._db.execute_fetchall(f"SELECT COUNT(*) FROM {table}"))
                counts[table] = int(rows[0][0])
        return counts

    async def dump_rows(self, *, batch_size: int) -> AsyncGenerator[TableBatch, None]:
        """Every table in one read transaction, in batches, parents first."""
        async with self._session.lock:
            await self._db.execute("BEGIN")
            try:
                for table, columns, order in TABLES:
                    query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
                    async with self._db.execute(query) as cursor:
                        while rows := await cursor.fetchmany(batch_size):
                            yield table, columns, [tuple(row) for row in rows]
            finally:
                await self._db.rollback()

    async def load_rows(self, batches: AsyncIterable[TableBatch], *, replace: bool) -> None:
        """Load a dump in one transaction; refuse a target that holds anything unless replacing."""
        # Loading replaces workspace rows: no id cached before the load may be used after it.
        self._session.workspaces.clear()
        async with self._session.lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                await self._load(batches, replace=replace)
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()
        self._session.workspaces.clear()

    async def _load(self, batches: AsyncIterable[TableBatch], *, replace: bool) -> None:
        # A question may be loaded before the answer it accepted: check references at commit.
        await self._db.execute("PRAGMA defer_foreign_keys = ON")
        if replace:
            for table in (*NOT_CARRIED, *(table for table, *_ in reversed(TABLES))):
                await self._db.execute(f"DELETE FROM {table}")
        else:
            found = list(await self._db.execute_fetchall(_ANY_WORKSPACE))
            if found[0][0]:
                raise TargetNotEmpty("the target store is not empty")
        async for table, columns, rows in batches:
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            await self._db.executemany(insert, rows)
        # No vote of a person who opted out is kept, whatever the source held.
        await self._db.execute(DROP_OPTED_OUT, {"ws": None})
        await self._db.execute(RECOUNT, {"ws": None})
