"""Group commit for PostgreSQL votes: every reaction event waiting in the process goes to the
database as one statement (qabot_vote_batch, migrations 0014 and 0017), so concurrent votes share
one round trip and one commit instead of paying one each. Each event carries its vote limits,
checked and counted in the same statement (storage/postgres/limits.py), once for the whole batch:
a lock statement, a read and an insert, whatever the batch's size; a refused event fails its
caller with `Refused`.

While a batch is in flight, new events queue and form the next one, so the batch grows with the
load and a lone vote still goes out at once (no added wait). Once a full batch waits, a second
batch goes out beside the first, on another connection, and no more: with one at a time, the
server's work on the votes stopped at every round trip and whenever another session's
statement or the bot's event loop held it up. One reaction's events (a voter's emoji on a post)
are never in two batches in flight: an event waits while a batch holding the same reaction is
out, so each reaction's changes apply in the order they arrived. Two batches may share a post:
the second waits for the first's lock on it, and both lock posts in the same order.

A caller's future is answered only after the statement (its own transaction) has committed. An
event the database refuses rolls back alone (its own subtransaction) and fails only its caller;
a deadlock or serialization failure is retried by itself through the one-statement path.
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
IN_FLIGHT = 2  # batches out at once
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


Reaction = tuple[int, str, int, str, str]  # (workspace id, kind, number, voter, emoji)
Waiting = tuple[VoteEvent, asyncio.Future[VoteTally]]


def _post(item: Waiting) -> tuple[int, str, int]:
    event = item[0]
    return event.ws, event.kind, event.number


def _reaction(event: VoteEvent) -> Reaction:
    return event.ws, event.kind, event.number, event.voter, event.emoji


class VoteBatcher:
    def __init__(self, pool: Any, single: Callable[[VoteEvent], Awaitable[VoteTally]]) -> None:
        self._pool = pool
        self._single = single  # the one-statement path, with the store's retries
        self._waiting: list[Waiting] = []
        self._flushers: set[asyncio.Task[None]] = set()
        self._reactions_out: set[Reaction] = set()  # those of the batches in flight
        self._in_flight = 0
        self._retries: set[asyncio.Task[None]] = set()  # held, so none is collected mid-run
        self.batches = 0  # statements sent, for tests
        self.most_in_flight = 0  # batches out at once, at most, for tests
        self.on_batch: BatchReport = _unobserved  # told each batch's size and duration

    async def vote(self, event: VoteEvent) -> VoteTally:
        future: asyncio.Future[VoteTally] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, future))
        if not self._flushers or (
            len(self._flushers) < IN_FLIGHT and len(self._waiting) >= MAX_BATCH
        ):
            self._flushers.add(asyncio.create_task(self._flush()))
        return await future

    async def close(self) -> None:
        """Let every queued vote finish before the pool closes."""
        while pending := {task for task in self._flushers | self._retries if not task.done()}:
            await asyncio.wait(pending)  # never cancels them, even if close itself is

    def _next_batch(self) -> list[Waiting]:
        """Up to MAX_BATCH waiting events, in arrival order, of reactions no batch in flight
        holds."""
        batch: list[Waiting] = []
        held: list[Waiting] = []
        for i, item in enumerate(self._waiting):
            if len(batch) == MAX_BATCH:
                self._waiting = held + self._waiting[i:]
                return batch
            (held if _reaction(item[0]) in self._reactions_out else batch).append(item)
        self._waiting = held
        return batch

    async def _flush(self) -> None:
        """Send batches while events wait; the second of two flushers stops once less than a
        full batch waits, and any flusher stops when every waiting event's reaction is out (the
        batch holding it takes it next)."""
        try:
            while batch := self._next_batch():
                await self._send(batch)
                if len(self._flushers) > 1 and len(self._waiting) < MAX_BATCH:
                    break
        finally:
            self._flushers.discard(asyncio.current_task())

    async def _send(self, batch: list[Waiting]) -> None:
        # By post, keeping each post's events in arrival order: two batches then lock hot posts
        # in the same order and cannot deadlock each other.
        batch.sort(key=_post)
        reactions = {_reaction(event) for event, _ in batch}
        self._reactions_out |= reactions
        self._in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self._in_flight)
        started = time.perf_counter()
        try:
            columns = zip(*(event for event, _ in batch), strict=True)
            rows = await self._pool.fetch(VOTE_BATCH, *map(list, columns))
            self.on_batch(len(batch), time.perf_counter() - started)
        except BaseException as error:  # every waiting caller hears of it, never hangs
            fail_waiting((future for _, future in batch), error, "a vote batch")
            if isinstance(error, Exception):
                return
            raise
        finally:
            self._reactions_out -= reactions
            self._in_flight -= 1
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
