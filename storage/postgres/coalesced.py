"""Calls by key, answered by one statement for every call waiting in the process.

A burst of calls that would each cost a round trip (a post looked up per reaction, an event id
claimed per delivery) goes out as one statement, each distinct key once. One statement runs at a
time per kind and each starts after every call it answers was made, so a caller still reads
everything committed before its call (its own writes included).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from storage.postgres.database import fail_waiting
from storage.rows import Row

__all__ = ["MAX_BATCH", "Coalesced"]

MAX_BATCH = 256
K = TypeVar("K", bound=tuple[Hashable, ...])
V = TypeVar("V")


class Coalesced(Generic[K, V]):
    """Calls by key; one statement (`statement`, one array parameter per key field) answers every
    waiting key; `_answer` turns its rows into each key's value."""

    def __init__(self, pool: Any, statement: str) -> None:
        self._pool = pool
        self._statement = statement
        self._waiting: dict[K, list[asyncio.Future[V]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # statements sent, for tests

    async def _call(self, key: K) -> V:
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(future)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def close(self) -> None:
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    def _answer(
        self, keys: list[K], rows: list[Row], futures: list[list[asyncio.Future[V]]]
    ) -> None:
        raise NotImplementedError

    async def _flush(self) -> None:
        while self._waiting:
            keys = list(self._waiting)[:MAX_BATCH]
            futures = [self._waiting.pop(key) for key in keys]
            try:
                columns = [list(column) for column in zip(*keys, strict=True)]
                rows = await self._pool.fetch(self._statement, *columns)
            except BaseException as error:  # every waiting caller hears of it, never hangs
                fail_waiting(itertools.chain.from_iterable(futures), error, "a lookup batch")
                if isinstance(error, Exception):
                    continue
                raise
            self.batches += 1
            self._answer(keys, rows, futures)
