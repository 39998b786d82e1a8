"""Whole-table dump and load for the PostgreSQL store: what copy-store moves."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Mapping

from storage.postgres.database import Database
from storage.postgres.sql import DROP_OPTED_OUT, LOCK_POSTS, RECOUNT
from storage.tables import NOT_CARRIED, TABLES, TableBatch, TargetNotEmpty

__all__ = ["PostgresDump"]

# Identity columns whose sequences must continue after the largest copied id.
_IDENTITIES = ("workspaces", "posts")


class PostgresDump:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def count_rows(self) -> Mapping[str, int]:
        async with self._db.pool.acquire() as conn:
            return {
                table: await conn.fetchval(f"SELECT COUNT(*) FROM {table}") for table, *_ in TABLES
            }

    async def dump_rows(self, *, batch_size: int) -> AsyncGenerator[TableBatch, None]:
        """Every table in one REPEATABLE READ snapshot, in batches, parents first."""
        async with (
            self._db.guard(),
            self._db.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            for table, columns, order in TABLES:
                query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
                cursor = await conn.cursor(query)
                while rows := await cursor.fetch(batch_size):
                    yield table, columns, [tuple(row) for row in rows]

    async def load_rows(self, batches: AsyncIterable[TableBatch], *, replace: bool) -> None:
        """Load a dump in one transaction; refuse a target that holds anything unless replacing."""
        async with self._db.guard(), self._db.pool.acquire() as conn, conn.transaction():
            # Writers creating a workspace wait until the load is done: no check-then-write.
            await conn.execute("LOCK TABLE workspaces IN EXCLUSIVE MODE")
            if replace:
                tables = ", ".join((*NOT_CARRIED, *(table for table, *_ in reversed(TABLES))))
                # post_search too: the posts' insert trigger writes it anew as they load.
                await conn.execute(f"TRUNCATE {tables}, post_counters, post_search")
            elif await conn.fetchval("SELECT EXISTS (SELECT 1 FROM workspaces)"):
                raise TargetNotEmpty("the target store is not empty")
            async for table, columns, rows in batches:
                await conn.copy_records_to_table(table, records=rows, columns=list(columns))
            for table in _IDENTITIES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                )
            # Numbers continue from the copied posts (NEXT_NUMBER starts from MAX(number)).
            await conn.execute("DELETE FROM post_counters")
            await conn.execute(LOCK_POSTS, None)
            # No vote of a person who opted out is kept, whatever the source held.
            await conn.execute(DROP_OPTED_OUT, None)
            await conn.execute(RECOUNT, None)
        self._db.forget_workspaces()
