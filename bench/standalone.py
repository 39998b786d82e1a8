"""One measurement on its own (`python -m bench.socket_ack`, `python -m bench.top_overhead`),
on the data set `python -m bench` builds, without the rest of the benchmark.

`SCALE` is the data set's size (0.1 is `--quick`); with `POSTGRES_DSN` the measurement runs on
PostgreSQL instead of SQLite, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.__main__ import postgres_copy, sqlite_copy
from bench.dataset import WORKSPACE, Shape
from bot.domain import WorkspaceRef
from bot.service import QAService
from bot.settings import Settings
from storage import open_store

__all__ = ["Measure", "run"]

Measure = Callable[[QAService, str, WorkspaceRef, Shape], Awaitable[dict[str, float]]]


async def _measured(measure: Measure, url: str, shape: Shape) -> dict[str, float]:
    store = await open_store(url)
    try:
        return await measure(
            QAService(store=store, settings=Settings()), url, WorkspaceRef(*WORKSPACE), shape
        )
    finally:
        await store.close()


async def _drop_schema(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    schema = url.rsplit("search_path=", 1)[1]
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


def run(measure: Measure, argv: list[str]) -> None:
    """`SCALE [POSTGRES_DSN]`: print the measurement's JSON object."""
    if not argv or len(argv) > 2:
        raise SystemExit(f"usage: python -m {sys.argv[0]} SCALE [POSTGRES_DSN]")
    scale = float(argv[0])
    shape = Shape.scaled(scale)
    if len(argv) == 2:
        url = postgres_copy(argv[1], shape)
    else:
        folder = Path(os.environ.get("QABOT_BENCH_DIR", "/tmp/qabot-bench"))
        folder.mkdir(parents=True, exist_ok=True)
        url = sqlite_copy(folder, shape, scale)
    try:
        print(json.dumps(asyncio.run(_measured(measure, url, shape))), flush=True)
    finally:
        if len(argv) == 2:
            asyncio.run(_drop_schema(url))
