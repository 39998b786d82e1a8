"""`qabot copy-store`: move a whole community between stores (SQLite <-> PostgreSQL).

The source dumps every table in one consistent read; the target loads them in one transaction
(all or nothing), refusing a non-empty target unless told to replace it. Row ids are kept, so
every reference (answer -> question, vote -> post, accepted answer) survives unchanged; derived
values (counts, rank scores, search vectors, number counters) are rebuilt by the target.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.errors import SettingsError
from storage.opener import open_store, sqlite_path
from storage.tables import TABLES, TableBatch, TargetNotEmpty

__all__ = [
    "TABLES",
    "RowStore",
    "TableBatch",
    "TargetNotEmpty",
    "copy_store",
]

# SQLite keeps flags as 0/1; PostgreSQL wants booleans. Both accept a Python bool.
_FLAGS = frozenset({"channel_private", "anonymous", "removed"})

Progress = Callable[[str, int, int], None]


@runtime_checkable
class RowStore(Protocol):
    """What a store offers copy-store, besides the core's Store port."""

    async def count_rows(self) -> Mapping[str, int]: ...

    def dump_rows(self, *, batch_size: int) -> AsyncGenerator[TableBatch, None]: ...

    async def load_rows(self, batches: AsyncIterable[TableBatch], *, replace: bool) -> None: ...

    async def close(self) -> None: ...


def _normalise(batch: TableBatch) -> TableBatch:
    table, columns, rows = batch
    flags = [i for i, column in enumerate(columns) if column in _FLAGS]
    if not flags:
        return batch
    fixed = []
    for row in rows:
        values = list(row)
        for i in flags:
            values[i] = bool(values[i])
        fixed.append(tuple(values))
    return table, columns, fixed


async def _counted(
    batches: AsyncGenerator[TableBatch, None], totals: Mapping[str, int], progress: Progress
) -> AsyncIterator[TableBatch]:
    done: dict[str, int] = {}
    async with aclosing(batches):
        async for batch in batches:
            table = batch[0]
            done[table] = done.get(table, 0) + len(batch[2])
            yield _normalise(batch)
            progress(table, done[table], totals.get(table, 0))


def _missing_sqlite_file(url: str) -> bool:
    """Opening a SQLite URL creates the file: a mistyped source would copy an empty community."""
    return url.startswith("sqlite://") and not Path(sqlite_path(url)).is_file()


async def _open_rows(url: str, *, migrate: bool) -> RowStore:
    store = await open_store(url, migrate=migrate)
    if not isinstance(store, RowStore):
        await store.close()
        raise SettingsError(f"copy-store cannot read or write a {url.partition(':')[0]} store")
    return store


async def copy_store(
    source_url: str,
    target_url: str,
    *,
    force: bool = False,
    progress: Progress | None = None,
    batch_size: int = 1000,
) -> Mapping[str, int]:
    """Copy everything from one store URL to another; return the row count of each table.

    Raises TargetNotEmpty when the target holds data and `force` is false.
    """
    if source_url == target_url:
        raise SettingsError("copy-store needs two different stores (--from and --to are equal)")
    if _missing_sqlite_file(source_url):
        raise SettingsError(f"copy-store: the source {source_url!r} does not exist")
    source = await _open_rows(source_url, migrate=True)
    try:
        target = await _open_rows(target_url, migrate=True)
        try:
            totals = await source.count_rows()
            batches = _counted(
                source.dump_rows(batch_size=batch_size), totals, progress or (lambda *_: None)
            )
            await target.load_rows(batches, replace=force)
            return totals
        finally:
            await target.close()
    finally:
        await source.close()
