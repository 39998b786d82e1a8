"""The Store on one SQLite file (aiosqlite): the embedded default."""

from __future__ import annotations

from storage.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
