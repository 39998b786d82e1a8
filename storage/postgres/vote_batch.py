"""Group commit for PostgreSQL votes: every reaction event waiting in the process goes to the
database as one statement (qabot_vote_batch, migrations 0014 and 0017), so concurrent votes share
one round trip and one commit instead of paying one each. Each event carries its vote limits,
checked and counted in the same statement (storage/postgres/limits.py), once for the whole batch:
a lock statement, a read and an insert, whatever the batch's size; a refused event fails its
caller with `Refused`.

One flush runs at a time; while it is in flight, new events queue and form the next batch, so the
batch grows with the load and a lone vote still goes out at once (no added wait). A caller's
future is answered only after the statement (its own transaction) has committed. An event the
database refuses rolls back alone (its own subtransaction) and fails only its caller; a deadlock
or serialization failure is retried by itself through the one-statement path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from bot.errors import StoreUnavailable
from bot.ports import BatchReport, VoteTally
from storage.postgres.database import UNAVAILABLE, fail_waiting
from storage.postgres.limits import refused

__all__ = ["VoteBatcher", "VoteEvent"]

log = logging.getLogger("qabot.storage")

# Each event is a subtransaction; PostgreSQL caches 64 subtransaction ids per backend, and a
# transaction that overflows them slows every other session's snapshots.
MAX_BATCH = 64
_RETRY_STATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock

VOTE_BATCH = """
SELECT b_i, b_ups, b_downs, b_changed, b_net, b_limit, b_wait, b_state, b_error
FROM qabot_vote_batch($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                      $6::integer[], $7::bigint[], $8::bigint[], $9::integer[], $10::integer[],
                      $11::bigint[])"""


class VoteEvent(NamedTuple):
    """qabot_limited_vote's arguments: weight None removes the reaction; the vote limits as of
    `now_ms`, 0 where off (storage/postgres/limits.py)."""

    ws: int
    kind: str
    number: int
    voter: str
    emoji: str
    weight: int | None
    at_ms: int | None
    now_ms: int
    per_minute: int
    per_post: int
    cooldown_ms: int


def _unobserved(size: int, seconds: float) -> None:
    pass


class VoteBatcher:
    def __init__(self, pool: Any, single: Callable[[VoteEvent], Awaitable[VoteTally]]) -> None:
        self._pool = pool
        self._single = single  # the one-statement path, with the store's retries
        self._waiting: list[tuple[VoteEvent, asyncio.Future[VoteTally]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._retries: set[asyncio.Task[None]] = set()  # held, so none is collected mid-run
        self.batches = 0  # statements sent, for tests
        self.on_batch: BatchReport = _unobserved  # told each batch's size and duration

    async def vote(self, event: VoteEvent) -> VoteTally:
        future: asyncio.Future[VoteTally] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def close(self) -> None:
        """Let every queued vote finish before the pool closes."""
        while (self._flusher is not None and not self._flusher.done()) or self._retries:
            if self._flusher is not None and not self._flusher.done():
                await asyncio.shield(self._flusher)
            if self._retries:
                await asyncio.wait(set(self._retries))

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            # By post, keeping each post's events in arrival order: two processes' batches then
            # lock hot posts in the same order and cannot deadlock each other.
            batch.sort(key=lambda item: (item[0].ws, item[0].kind, item[0].number))
            started = time.perf_counter()
            try:
                columns = zip(*(event for event, _ in batch), strict=True)
                rows = await self._pool.fetch(VOTE_BATCH, *map(list, columns))
                self.on_batch(len(batch), time.perf_counter() - started)
            except BaseException as error:  # every waiting caller hears of it, never hangs
                fail_waiting((future for _, future in batch), error, "a vote batch")
                if isinstance(error, Exception):
                    continue
                raise
            self.batches += 1
            for row in rows:
                event, future = batch[row["b_i"] - 1]
                if future.done():  # the caller was cancelled; its vote still stands
                    continue
                state = row["b_state"]
                if state is None and row["b_limit"] is not None:
                    future.set_exception(refused(row["b_limit"], row["b_wait"]))
                elif state is None:
                    future.set_result(_tally(row))
                elif state in _RETRY_STATES:
                    task = asyncio.ensure_future(_chain(self._single(event), future))
                    self._retries.add(task)
                    task.add_done_callback(self._retries.discard)
                else:
                    log.error("PostgreSQL refused a vote: %s %s", state, row["b_error"])
                    future.set_exception(StoreUnavailable(UNAVAILABLE))


def _tally(row: Any) -> VoteTally:
    return VoteTally(row["b_ups"], row["b_downs"], row["b_changed"], voter_net=row["b_net"])


async def _chain(work: Awaitable[VoteTally], future: asyncio.Future[VoteTally]) -> None:
    """Answer `future` from `work` (a retry outside the batch, run as its own task)."""
    try:
        result = await work
    except BaseException as error:
        if not future.done():
            future.set_exception(error)
        if not isinstance(error, Exception):
            raise
    else:
        if not future.done():
            future.set_result(result)
