"""One pooled connection held for a stretch of reads (a web page's), instead of one acquire per
statement.

asyncpg's acquire and release cost the bot's event loop more than sending a short statement and
decoding its rows: py-spy put them at about a sixth of a PostgreSQL web page's time in the bot
when every read took its own. `holding(pool)` acquires once; until it exits, `source(pool)`
hands that connection to the reads of the same task, and the pool itself to anyone else (another
task may read concurrently, which one connection cannot do).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["holding", "source"]

# (the pool, its connection held, the task holding it)
_held: ContextVar[tuple[Any, Any, asyncio.Task[Any] | None] | None] = ContextVar(
    "qabot_held_connection", default=None
)


@asynccontextmanager
async def holding(pool: Any) -> AsyncIterator[None]:
    async with pool.acquire() as conn:
        token = _held.set((pool, conn, asyncio.current_task()))
        try:
            yield
        finally:
            _held.reset(token)


def source(pool: Any) -> Any:
    """The connection this task holds from `pool`, else the pool (a connection per statement);
    both have `fetch`, `fetchrow` and `fetchval`."""
    held = _held.get()
    if held is not None and held[0] is pool and held[2] is asyncio.current_task():
        return held[1]
    return pool
