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

Event = tuple[str, str, int, str]  # (react|unreact, voter, answer number, emoji)


@dataclass(frozen=True, slots=True)
class Ingest:
    events_per_s: float
    raw_per_s: float

    @property
    def ratio(self) -> float:
        return self.events_per_s / self.raw_per_s


def reaction_events(shape: Shape, count: int, *, seed: int = 11) -> list[Event]:
    """New votes on hot answers, with 8% removals of earlier ones and 4% redeliveries."""
    rng = random.Random(seed)
    hot = hot_answers(shape, rng)
    events: list[Event] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.12 and len(events) > 2000:
            kind, voter, answer, emoji = events[rng.randrange(len(events) - 1000)]
            events.append(("unreact" if roll < 0.08 else kind, voter, answer, emoji))
        else:
            events.append(("react", f"I{i}", next(hot), "👍" if rng.random() < 0.8 else "👎"))
    return events


async def _drive(
    service: QAService, workspace: WorkspaceRef, events: list[Event], callers: int
) -> None:
    queue = iter(events)

    async def caller() -> None:
        for kind, voter_id, number, emoji in queue:
            voter = UserRef(workspace, voter_id)
            target = PostId(PostKind.ANSWER, number)
            vote = service.react if kind == "react" else service.unreact
            # A refusal is a handled event too (it never happens in this mix).
            with contextlib.suppress(QAError):
                await vote(voter=voter, target=target, emoji=emoji)

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
    from storage.sqlite_sql import PRAGMAS
    from storage.sqlite_writer import CACHE_KIB

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
