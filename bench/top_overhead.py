"""`/top` against its own ceiling: qabot's p99 over the p99 of the same query sent plainly.

qabot's side is `QAService.top`, as `bench.latency.top_latencies` times it (the hottest channel,
this week). The ceiling is the statement the store runs for that `/top`, with the same
parameters, on the same database in the same run: through a plain `sqlite3` connection, or one
asyncpg connection for PostgreSQL, fetching every row and doing nothing else. The two alternate
call by call, so a busy moment of the machine falls on both alike.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bench.dataset import Shape
from bench.latency import percentile, summary
from bot.domain import TopQuery, Window, WorkspaceRef
from bot.service import QAService
from bot.voting import window_start
from storage.rows import to_ms

__all__ = ["measure"]

_WARM_UP = 10
_CALLS = 1000

Plain = Callable[[], Awaitable[int]]  # one run of the query; how many rows it returned


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _since(query: TopQuery) -> int:
    since = window_start(query.window, datetime.now(UTC))
    assert since is not None
    return to_ms(since)


async def _plain_sqlite(
    path: str, workspace: WorkspaceRef, query: TopQuery
) -> tuple[Plain, Callable[[], None]]:
    from storage.sqlite.sql import top_answers

    db = sqlite3.connect(path)
    (ws,) = db.execute(
        "SELECT id FROM workspaces WHERE platform = ? AND external_id = ?",
        (workspace.platform, workspace.workspace_id),
    ).fetchone()
    statement = top_answers(channel=True, since=True, tag=False, question=False)
    params = {"ws": ws, "channel": query.channel_id, "since": _since(query), "tag": None,
              "question": None, "limit": query.limit}  # fmt: skip

    async def run() -> int:
        return len(db.execute(statement, params).fetchall())

    return run, db.close


async def _plain_postgres(
    url: str, workspace: WorkspaceRef, query: TopQuery
) -> tuple[Plain, Callable[[], Awaitable[None]]]:
    import asyncpg  # type: ignore[import-untyped]

    from storage.postgres.sql import top_answers

    conn = await asyncpg.connect(url)
    ws = await conn.fetchval(
        "SELECT id FROM workspaces WHERE platform = $1 AND external_id = $2",
        workspace.platform, workspace.workspace_id,
    )  # fmt: skip
    statement, args = top_answers(
        ws=ws, channel=query.channel_id, since=_since(query), tag=None, question=None,
        limit=query.limit,
    )  # fmt: skip

    async def run() -> int:
        return len(await conn.fetch(statement, *args))

    return run, conn.close


async def _timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


async def measure(
    service: QAService, url: str, workspace: WorkspaceRef, shape: Shape
) -> dict[str, float]:
    query = TopQuery(channel_id=shape.hottest_channel, window=Window.WEEK)
    if url.startswith("sqlite"):
        plain, close_sqlite = await _plain_sqlite(url.removeprefix("sqlite:///"), workspace, query)
        closing: Callable[[], Any] = close_sqlite
    else:
        plain, closing = await _plain_postgres(url, workspace, query)

    async def top() -> int:
        return len(await service.top(workspace=workspace, query=query))

    try:
        for _ in range(_WARM_UP):
            assert await top() == await plain() > 0, "the same answers, and some"
        ours, ceiling = [], []
        for _ in range(_CALLS):
            ours.append(await _timed(top))
            ceiling.append(await _timed(plain))
    finally:
        closed = closing()
        if closed is not None:
            await closed
    _say(f"/top through qabot {summary(ours)}; the plain query {summary(ceiling)}")
    ratio = percentile(ours, 0.99) / percentile(ceiling, 0.99)
    return {"top_overhead_ratio": round(ratio, 3)}


if __name__ == "__main__":
    from bench.standalone import run

    run(measure, sys.argv[1:])
