"""WAL checkpoints for the SQLite writer, on a thread of their own.

A checkpoint copies committed pages from the WAL back into the database file and syncs it. Left
to SQLite (every 1,000 WAL pages), it ran inside every other COMMIT of a vote burst, on the event
loop's thread, and took a quarter of the write path's time. So the writer's connection turns the
automatic checkpoint off and calls `after_commit`; every few commits a PASSIVE checkpoint (it
neither waits for nor blocks readers and the writer) runs on this class's own connection in a
worker thread, where sqlite3 releases the GIL: the copying happens beside the loop, not in it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

__all__ = ["Checkpointer"]

log = logging.getLogger("qabot.storage")


class Checkpointer:
    def __init__(self, path: str, *, every: int = 4) -> None:
        self._path = path
        self._every = every  # commits between checkpoints: a few MiB of WAL in a burst
        self._commits = 0
        self._db: sqlite3.Connection | None = None
        self._running: asyncio.Future[None] | None = None
        self.checkpoints = 0  # how many ran (tests)

    def start(self) -> None:
        self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)

    def after_commit(self) -> None:
        self._commits += 1
        if self._running is None and self._commits >= self._every and self._db is not None:
            self._commits = 0
            self._running = asyncio.ensure_future(asyncio.to_thread(self._checkpoint, self._db))
            self._running.add_done_callback(self._finished)

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _finished(self, done: asyncio.Future[None]) -> None:
        self._running = None
        if not done.cancelled() and (error := done.exception()) is not None:
            log.warning("SQLite checkpoint failed (the next one retries): %s", error)
        else:
            self.checkpoints += 1

    async def close(self) -> None:
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
        if self._db is not None:
            self._db.close()
            self._db = None
