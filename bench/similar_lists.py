"""The data set's kept lists of similar questions (bot/similar_lists.py), made through the store
as asking each question with the web view on would have made them, for a site that publishes
every public channel of the data set's workspace (bench.web_pages serves one): a community's
pages have had their lists since they were asked, and a page view reads its list."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing

from bench.dataset import WORKSPACE, Shape
from bot.domain import Question, WorkspaceRef
from bot.ports import WebFilter
from bot.similar_lists import make_similar_list
from storage import open_store

__all__ = ["make_similar_lists"]

_ANALYZE_POSTGRES = "VACUUM (ANALYZE) similar_lists, similar_entries"
_AT_ONCE = 4  # PostgreSQL's searches and the ranking in Python overlap on two cores


async def _make_all(url: str, shape: Shape) -> None:
    store = await open_store(url)
    try:
        workspace = WorkspaceRef(*WORKSPACE)
        questions = await store.web_questions(
            workspace, where=WebFilter(), since=None, limit=shape.questions
        )
        slots = asyncio.Semaphore(_AT_ONCE)

        async def make(question: Question) -> None:
            async with slots:
                await make_similar_list(store, question, channels=None)

        await asyncio.gather(*(make(question) for question in questions))
    finally:
        await store.close()


async def _analyze_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_ANALYZE_POSTGRES)
    finally:
        await conn.close()


def make_similar_lists(url: str, shape: Shape) -> float:
    """Every question's list, then the lists' statistics, as the data set's other tables have
    theirs; the seconds taken. A PostgreSQL store's are written without waiting for each commit
    to reach the disk (a bulk load, made again if interrupted)."""
    started = time.perf_counter()
    if url.startswith("sqlite:///"):
        asyncio.run(_make_all(url, shape))
        # Closed here, before the caller renames the file, so nothing stays in its write-ahead log.
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            db.execute("ANALYZE")
    else:
        asyncio.run(_make_all(f"{url}{'&' if '?' in url else '?'}synchronous_commit=off", shape))
        asyncio.run(_analyze_postgres(url))
    return time.perf_counter() - started
