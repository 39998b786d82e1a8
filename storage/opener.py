"""`open_store(url)`: the store a settings URL names, opened and (by default) migrated.

Each backend is imported only when its URL is used, so a SQLite-only install needs no asyncpg.
"""

from __future__ import annotations

import asyncio
import sqlite3

from bot.errors import SettingsError
from bot.ports import Store

__all__ = ["open_store", "sqlite_path"]


def sqlite_path(url: str) -> str:
    """`sqlite:///qabot.db` is relative to the working directory, `sqlite:////abs/x.db` absolute."""
    path = url.removeprefix("sqlite://")
    if not path.startswith("/") or path == "/":
        raise SettingsError(f"[storage] url {url!r} must look like sqlite:///path/to/file.db")
    return path[1:]


def _try_open_sqlite(path: str) -> None:
    sqlite3.connect(path).close()


async def open_store(url: str, *, migrate: bool = True, pool_size: int = 10) -> Store:
    """Open (and by default migrate) the store a settings URL names."""
    if url.startswith("sqlite://"):
        from storage.sqlite import SqliteStore

        path = sqlite_path(url)
        # A file that cannot be opened fails here, cleanly: after a failed aiosqlite.connect its
        # worker thread may report to an event loop already closed, printing a traceback.
        await asyncio.to_thread(_try_open_sqlite, path)
        return await SqliteStore.open(path, migrate=migrate)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storage.postgres import PostgresStore
        except ImportError as error:
            raise SettingsError(
                f"[storage] url is PostgreSQL but its store is unavailable ({error}); "
                "install qabot[postgres]"
            ) from None
        store: Store = await PostgresStore.open(url, migrate=migrate, pool_size=pool_size)
        return store
    raise SettingsError(f"[storage] url {url!r} must start with sqlite:// or postgresql://")
