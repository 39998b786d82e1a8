"""WAL checkpoints for the SQLite writer, on a thread of their own.

A checkpoint copies committed pages from the WAL back into the database file and syncs it. Left
to SQLite's automatic checkpoint, that work would run inside the writer's COMMITs, on the event
loop's thread. So the writer's connection turns the automatic checkpoint off and calls
`after_commit`; every few commits a PASSIVE checkpoint (it neither waits for nor blocks readers
and the writer) runs on this class's own connection in a worker thread, where sqlite3 releases
the GIL: the copying happens beside the loop, not in it.

A WAL starts over from its beginning only when a write transaction begins after a checkpoint
has copied back every frame, and during a burst the writer commits new frames while each
checkpoint runs: left alone, the WAL would grow by every page of the burst. So once it holds
`rewind_frames` frames, the writer waits for one checkpoint with no commit beside it (`rewind`:
only the frames of the last few commits are left to copy), and its next transaction writes the
WAL from the start again. `journal_size_limit` cuts the file back after a longer excursion (a
reader that kept an old snapshot open stops checkpoints short of the end).

When another process grows the WAL too (an import beside the running bot), the frames left to
copy are partly its own, and the copy can take longer than a live vote may wait: then the wait
is bounded (`REWIND_WAIT_S`, for every op queued behind the writer), the checkpoint finishes
beside the next commits, and the next try comes after as many frames again. The process that
grows the WAL most rewinds it, in waits the other's rare commits seldom spoil.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

__all__ = ["REWIND_FRAMES", "REWIND_WAIT_S", "Checkpointer"]

log = logging.getLogger("qabot.storage")

REWIND_FRAMES = 16384  # WAL frames (one page each) before the writer waits for a full checkpoint
REWIND_WAIT_S = 0.025  # the longest the writer waits for one while another process writes too


class Checkpointer:
    def __init__(self, path: str, *, every: int = 4, rewind_frames: int = REWIND_FRAMES) -> None:
        self._path = path
        self._every = every  # commits between checkpoints
        self._commits = 0
        self._db: sqlite3.Connection | None = None
        self._running: asyncio.Future[tuple[int, int]] | None = None
        self._rewind_frames = rewind_frames
        self._rewind_at = rewind_frames
        self.wal_frames = 0  # frames in the WAL when the last checkpoint ran
        self.checkpoints = 0  # how many ran (tests)
        self.rewinds = 0  # how many times the WAL was let start over (tests)

    @property
    def journal_size_limit(self) -> int:
        """Bytes the writer's connection cuts the WAL back to when it starts over."""
        return 2 * self._rewind_frames * 4096

    def start(self) -> None:
        self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)

    def after_commit(self) -> None:
        self._commits += 1
        if self._running is None and self._commits >= self._every and self._db is not None:
            self._commits = 0
            self._start(self._db)

    def _start(self, db: sqlite3.Connection) -> asyncio.Future[tuple[int, int]]:
        running = asyncio.ensure_future(asyncio.to_thread(self._checkpoint, db))
        running.add_done_callback(self._finished)
        self._running = running
        return running

    @staticmethod
    def _checkpoint(db: sqlite3.Connection) -> tuple[int, int]:
        """(frames in the WAL, frames copied back)."""
        # fetchall: a statement left unfinished would hold a read lock and stop the WAL's restart
        [(_, frames, copied)] = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        return frames, copied

    def _finished(self, done: asyncio.Future[tuple[int, int]]) -> None:
        self._running = None
        if done.cancelled():
            return
        if (error := done.exception()) is not None:
            log.warning("SQLite checkpoint failed (the next one retries): %s", error)
            return
        self.checkpoints += 1
        self.wal_frames = done.result()[0]

    @property
    def wants_rewind(self) -> bool:
        return self.wal_frames >= self._rewind_at

    async def rewind(self, *, bounded: bool) -> None:
        """Checkpoint with the writer waiting, so that its next transaction starts the WAL over.
        The writer calls this between batches; its callers' ops queue up meanwhile, `bounded`
        by `REWIND_WAIT_S` when another process writes the WAL too."""
        if self._db is None:
            return
        deadline = asyncio.get_running_loop().time() + REWIND_WAIT_S if bounded else None
        if self._running is not None and not await _done_by(self._running, deadline):
            self._try_again_later()
            return
        checkpoint = self._start(self._db)
        if not await _done_by(checkpoint, deadline):
            self._try_again_later()  # it finishes beside the next commits
            return
        if checkpoint.cancelled() or checkpoint.exception() is not None:
            self._try_again_later()  # `_finished` logged it
            return
        frames, copied = checkpoint.result()
        if copied >= frames:  # every frame is back in the database file
            self.rewinds += 1
            self.wal_frames = 0
            self._rewind_at = self._rewind_frames
        else:  # a reader's snapshot holds frames back: try again after as many more
            self.wal_frames = frames
            self._rewind_at = frames + self._rewind_frames

    def _try_again_later(self) -> None:
        self._rewind_at = max(self.wal_frames, self._rewind_at) + self._rewind_frames

    async def close(self) -> None:
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
        if self._db is not None:
            self._db.close()
            self._db = None


async def _done_by(work: asyncio.Future[tuple[int, int]], deadline: float | None) -> bool:
    """Whether `work` finished by `deadline` (None: whenever it finishes); it runs on either way."""
    timeout = None if deadline is None else max(0.0, deadline - asyncio.get_running_loop().time())
    done, _ = await asyncio.wait({work}, timeout=timeout)
    return bool(done)
