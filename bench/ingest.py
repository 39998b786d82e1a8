"""Reaction ingest through QAService against the raw single-row insert speed, interleaved.

Rounds alternate: a slice of raw inserts (plain sqlite3, or one asyncpg connection), then a slice
of reaction events through the service from many concurrent callers. Both totals are summed over
the rounds, so a machine that speeds up or slows down mid-run moves both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.dataset import Shape, hot_answers
from bot.domain import PostId, PostKind, UserRef, WorkspaceRef
from bot.errors import QAError
from bot.service import QAService

__all__ = ["Ingest", "raw_postgres", "raw_sqlite", "reaction_events"]

# One event packed in one int (voter number, answer number, 👎?, removal?): the script of
# 200,000 events as tuples and strings took about 30 MiB of the bot's process and, freed after
# the run, left its heap fragmented; the voter's id string is made when the event is sent, as an
# adapter makes it from each payload.
Event = int
_ANSWER_BITS = 24


def _event(voter: int, answer: int, *, down: bool, removal: bool) -> Event:
    return (voter << (_ANSWER_BITS + 2)) | (answer << 2) | (down << 1) | removal


@dataclass(frozen=True, slots=True)
class Ingest:
    events_per_s: float
    raw_per_s: float

    @property
    def ratio(self) -> float:
        return self.events_per_s / self.raw_per_s


def reaction_events(shape: Shape, count: int, *, seed: int = 11) -> list[Event]:
    """New votes on hot answers, with 8% removals of earlier ones and 4% redeliveries."""
    assert shape.answers < 1 << _ANSWER_BITS
    rng = random.Random(seed)
    hot = hot_answers(shape, rng)
    events: list[Event] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.12 and len(events) > 2000:
            earlier = events[rng.randrange(len(events) - 1000)]
            events.append(earlier | 1 if roll < 0.08 else earlier)
        else:
            events.append(_event(i, next(hot), down=rng.random() >= 0.8, removal=False))
    return events


async def _drive(
    service: QAService, workspace: WorkspaceRef, events: list[Event], callers: int
) -> None:
    queue = iter(events)
    answer_mask = (1 << _ANSWER_BITS) - 1

    async def caller() -> None:
        for event in queue:
            voter = UserRef(workspace, f"I{event >> (_ANSWER_BITS + 2)}")
            target = PostId(PostKind.ANSWER, (event >> 2) & answer_mask)
            vote = service.unreact if event & 1 else service.react
            # A refusal is a handled event too (it never happens in this mix).
            with contextlib.suppress(QAError):
                await vote(voter=voter, target=target, emoji="👎" if event & 2 else "👍")

    await asyncio.gather(*(caller() for _ in range(callers)))


async def interleaved(
    *,
    service: QAService,
    workspace: WorkspaceRef,
    events: list[Event],
    raw: Callable[[int], Awaitable[float]],
    rounds: int,
    raw_per_round: int,
    callers: int,
) -> Ingest:
    ingest_s = raw_s = 0.0
    slice_size = len(events) // rounds
    for r in range(rounds):
        raw_s += await raw(raw_per_round)
        started = time.perf_counter()
        await _drive(service, workspace, events[r * slice_size : (r + 1) * slice_size], callers)
        ingest_s += time.perf_counter() - started
    return Ingest(slice_size * rounds / ingest_s, raw_per_round * rounds / raw_s)


RAW_VOTE = (
    "INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms) VALUES (?, ?, '👍', 1, 0)"
)
RAW_CLEANUP = "DELETE FROM votes WHERE voter_id LIKE 'R%'"


Runner = Callable[[int], Awaitable[float]]
Cleanup = Callable[[], Awaitable[None]]


def raw_sqlite(path: str, shape: Shape) -> tuple[Runner, Cleanup]:
    """Plain sqlite3, one autocommitted INSERT per row into the same votes table the service
    writes (same size, same indexes, same skew over hot answers), same pragmas and cache size.
    The second function deletes those rows again, so the recount that follows proves the
    service's scores and not these."""
    from storage.sqlite.sql import PRAGMAS
    from storage.sqlite.writer import CACHE_KIB

    db = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(pragma)
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    hot = hot_answers(shape, random.Random(99))
    counter = iter(range(10**12))

    async def run(n: int) -> float:
        rows = [(shape.questions + next(hot), f"R{next(counter)}") for _ in range(n)]
        started = time.perf_counter()
        for row in rows:
            db.execute(RAW_VOTE, row)
        return time.perf_counter() - started

    async def cleanup() -> None:
        db.execute(RAW_CLEANUP)
        db.close()

    return run, cleanup


async def raw_postgres(dsn: str, shape: Shape) -> tuple[Runner, Cleanup]:
    """One asyncpg connection, one autocommitted INSERT per row into the same votes table."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(dsn)
    hot = hot_answers(shape, random.Random(99))
    counter = iter(range(10**12))
    statement = RAW_VOTE.replace("?", "$1", 1).replace("?", "$2", 1)

    async def run(n: int) -> float:
        rows = [(shape.questions + next(hot), f"R{next(counter)}") for _ in range(n)]
        started = time.perf_counter()
        for row in rows:
            await conn.execute(statement, *row)
        return time.perf_counter() - started

    async def cleanup() -> None:
        await conn.execute(RAW_CLEANUP)
        await conn.close()

    return run, cleanup
