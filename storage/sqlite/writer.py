"""Group commit for the SQLite store: one writer task, its own connection, many callers.

Each aiosqlite call is a hop to its thread and back per statement, and a commit per event caps a
vote burst far below what SQLite itself can do. Instead, callers submit small functions (an *op*:
a few statements on a `sqlite3.Connection`); a writer task takes whatever ops are waiting (up to
`max_batch`, waiting at most `max_wait` for more after the first) and runs them in ONE
transaction, then commits once:

- a caller's await returns only after the COMMIT that holds its change (WAL: durable against a
  process crash), so what callers see is what one transaction per call would give them;
- an op that raises fails only its own caller. Savepoints would isolate it, but cost two extra
  statements per op, for a failure that almost never comes. So a batch first runs without them;
  only if an op that writes more than one statement raises (it may have left half its change)
  is the whole transaction rolled back and the batch replayed with a savepoint around each
  write op. Read ops (`write=False`) and ops that are ONE write statement (`savepoint=False`:
  SQLite rolls back a failing statement by itself) never force a replay.

The batch runs on the event loop's own thread, deliberately: a batch is a short burst of SQLite
work, while handing it to a thread costs a hop per batch and makes that thread and the loop take
turns on the GIL. What could block for long is waiting for SQLite's write lock, held by another
process or by the store's aiosqlite connection: so this connection never waits inside SQLite
(busy_timeout 0) and retries `BEGIN IMMEDIATE` with asyncio sleeps instead, for as long as
busy_timeout would have.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.errors import StoreUnavailable
from bot.ports import BatchReport
from bot.voting import wilson_lower_bound
from storage.sqlite.checkpoint import REWIND_FRAMES, Checkpointer

__all__ = ["CACHE_KIB", "Op", "SqliteWriter"]

log = logging.getLogger("qabot.storage")

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], T]
_Pending = tuple[Callable[[sqlite3.Connection], Any], bool, "asyncio.Future[Any]"]
_UNAVAILABLE = "The Q&A store is unavailable right now; nothing was changed. Please try again."
_LOCK_WAIT_S = 5.0  # as long as the store's busy_timeout
_LOCK_RETRY_S = 0.004  # the longest pause between two tries for the write lock
CACHE_KIB = 8192  # the writer connection's page cache (see start)
_PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at a bounded read's clock


def _unobserved(size: int, seconds: float) -> None:
    pass


class SqliteWriter:
    def __init__(
        self,
        path: str,
        *,
        pragmas: Sequence[str],
        max_batch: int = 512,
        max_wait: float = 0.0,
        cache_kib: int = CACHE_KIB,
        rewind_frames: int = REWIND_FRAMES,
        checkpoints: bool = True,
        on_rollback: Callable[[], None] = lambda: None,
    ) -> None:
        self._path = path
        self._checkpoints = checkpoints  # False: another process's writer does them
        self._cache_kib = cache_kib
        self._pragmas = tuple(pragmas)
        self._max_batch = max_batch
        self._max_wait = max_wait
        # A plain deque and one wake-up future per batch, instead of asyncio.Queue's bookkeeping
        # per op (put, get, task_done): this hand-over happens for every vote.
        self._pending: deque[_Pending] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._closing = False
        self._db: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._checkpointer = Checkpointer(path, rewind_frames=rewind_frames)
        self._invalidate = on_rollback  # called whenever a write is rolled back
        self._data_version = 0  # PRAGMA data_version when `_others_committed` last looked
        self.commits = 0  # batches committed: how much sharing a burst got (tests, bench)
        self.on_batch: BatchReport = _unobserved  # told each batch's size and duration

    async def start(self) -> None:
        db = sqlite3.connect(self._path, isolation_level=None)
        db.row_factory = sqlite3.Row
        for pragma in self._pragmas:
            db.execute(pragma)
        db.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's thread does them
        db.execute(f"PRAGMA journal_size_limit = {self._checkpointer.journal_size_limit}")
        db.execute("PRAGMA busy_timeout = 0")  # wait for the write lock in asyncio, not in SQLite
        # Votes land on random leaf pages of the votes table and its indexes: with SQLite's
        # default cache most inserts reread pages. CACHE_KIB holds what every vote touches
        # (interior pages, hot posts); a larger one adds memory, not speed. It is only taken as
        # pages are touched.
        db.execute(f"PRAGMA cache_size = -{self._cache_kib}")
        db.create_function("wilson", 2, wilson_lower_bound, deterministic=True)
        self._data_version = int(db.execute("PRAGMA data_version").fetchone()[0])
        self._db = db
        if self._checkpoints:
            self._checkpointer.start()
        self._task = asyncio.create_task(self._drain(), name="qabot-sqlite-writer")

    async def close(self) -> None:
        """Finish every op already submitted, then stop the task and close the connection."""
        if self._task is not None:
            self._closing = True
            self._wake()
            await asyncio.gather(self._task, return_exceptions=True)  # it drains, then returns
            self._task = None
        await self._checkpointer.close()
        if self._db is not None:
            self._db.close()
            self._db = None

    async def run(
        self, op: Callable[[sqlite3.Connection], T], *, write: bool = True, savepoint: bool = True
    ) -> T:
        """Run `op` in the next batch; return its result once that batch has committed."""
        if self._task is None:
            raise StoreUnavailable(_UNAVAILABLE)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((op, write and savepoint, future))
        self._wake()
        return await future

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def read(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read-only `op` right now on this connection, without queueing: the batches run
        without an await from BEGIN to COMMIT, so whenever another task runs the connection has
        no transaction open, and it sees every write committed before. The rare SQLITE_BUSY a
        WAL reader can meet sends the read through the queue, inside the write lock."""
        if self._db is None:
            raise StoreUnavailable(_UNAVAILABLE)
        try:
            return op(self._db)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise _mapped(error) from None
        return await self.run(op, write=False)

    @property
    def busy(self) -> bool:
        """Whether writes are waiting for their batch: the loop's time is theirs then."""
        return bool(self._pending)

    async def read_within(self, op: Callable[[sqlite3.Connection], T], seconds: float) -> T | None:
        """`read`, unless it runs longer than `seconds`: then SQLite stops it and this returns
        None (as for SQLITE_BUSY), having held the event loop that long at most. A read that is
        short nearly always runs here, with no hop to a thread; its rare long case goes there."""
        db = self._db
        if db is None:
            raise StoreUnavailable(_UNAVAILABLE)
        deadline = time.perf_counter() + seconds
        db.set_progress_handler(lambda: time.perf_counter() > deadline, _PROGRESS_STEPS)
        try:
            return op(db)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode in (sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY):
                return None
            raise _mapped(error) from None
        finally:
            db.set_progress_handler(None, 0)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        pending = self._pending
        while True:
            if not pending:
                if self._closing:
                    return
                self._wakeup = loop.create_future()
                await self._wakeup
                self._wakeup = None
                continue
            # One turn of the loop (or max_wait) lets callers that are ready join this batch.
            await asyncio.sleep(self._max_wait)
            batch = [pending.popleft() for _ in range(min(len(pending), self._max_batch))]
            started = loop.time()
            try:
                outcomes = await self._locked_apply(batch)
                self.on_batch(len(batch), loop.time() - started)
            except Exception as error:  # a bug in the batch plumbing: fail the batch, keep going
                log.exception("SQLite writer batch failed")
                if self._db is not None and self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                    self._invalidate()
                outcomes = [(False, error)] * len(batch)
            for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
                if not future.done():
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(_mapped(value))
            if self._checkpointer.wants_rewind:
                await self._checkpointer.rewind(bounded=self._others_committed())

    def _others_committed(self) -> bool:
        """Whether another connection (another process's store, an import) committed since the
        last call: SQLite's data_version changes for every commit but this connection's own."""
        assert self._db is not None
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        changed, self._data_version = version != self._data_version, version
        return changed

    async def _locked_apply(self, batch: list[_Pending]) -> list[tuple[bool, Any]]:
        """Apply the batch optimistically; replay it isolated if an op failed halfway."""
        db = self._db
        assert db is not None
        if (refused := await self._begin(db)) is not None:
            return [(False, refused)] * len(batch)
        outcomes = self._apply(db, batch, isolated=False)
        if outcomes is None:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._invalidate()
            if (refused := await self._begin(db)) is not None:
                return [(False, refused)] * len(batch)
            outcomes = self._apply(db, batch, isolated=True)
            assert outcomes is not None
        return outcomes

    async def _begin(self, db: sqlite3.Connection) -> sqlite3.Error | None:
        """Take SQLite's write lock, waiting in asyncio while someone else holds it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _LOCK_WAIT_S
        pause = 0.001
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return None
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or loop.time() > deadline:
                    return error
            await asyncio.sleep(pause)
            # Short retries: another process (an import) commits in short batches with gaps
            # between them, and a wait that grows long would keep missing those gaps.
            pause = min(pause * 2, _LOCK_RETRY_S)

    def _apply(
        self, db: sqlite3.Connection, batch: list[_Pending], *, isolated: bool
    ) -> list[tuple[bool, Any]] | None:
        """The whole batch in the open transaction, then commit. Not `isolated`: None as soon
        as an op that needs a savepoint fails (the caller rolls back and replays isolated)."""
        outcomes: list[tuple[bool, Any]] = []
        for op, needs_savepoint, _ in batch:
            if isolated and needs_savepoint:
                outcomes.append(self._isolated(db, op))
                continue
            try:
                outcomes.append((True, op(db)))
            except Exception as error:
                # Half an op, or an error that ended the transaction itself (SQLITE_FULL may).
                if needs_savepoint or not db.in_transaction:
                    return None
                outcomes.append((False, error))
        try:
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._invalidate()
            return [(False, error)] * len(batch)
        self.commits += 1
        self._checkpointer.after_commit()
        return outcomes

    def _isolated(
        self, db: sqlite3.Connection, op: Callable[[sqlite3.Connection], Any]
    ) -> tuple[bool, Any]:
        db.execute("SAVEPOINT op")
        try:
            value = op(db)
        except Exception as error:
            db.execute("ROLLBACK TO op")
            db.execute("RELEASE op")
            self._invalidate()
            return False, error
        db.execute("RELEASE op")
        return True, value


def _mapped(error: BaseException) -> BaseException:
    """A database failure reaches the caller as StoreUnavailable (logged); anything else as is."""
    if isinstance(error, sqlite3.Error):
        log.error("SQLite error: %s", error)
        unavailable = StoreUnavailable(_UNAVAILABLE)
        unavailable.__cause__ = error
        return unavailable
    return error
