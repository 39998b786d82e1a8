"""Coalesced statements for PostgreSQL: every reaction looks its post up (and the first vote on a
hot answer writes its claim), and with votes sharing one statement (storage/postgres/vote_batch.py)
those calls would cost a round trip each. The calls waiting in the process go out as one
statement, each distinct key once.

One statement runs at a time per kind and each starts after every call it answers was made, so a
caller still reads everything committed before its call (its own votes included).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from storage.postgres.database import fail_waiting
from storage.rows import Row

__all__ = ["Claims", "PostLookups"]


MAX_BATCH = 256
K = TypeVar("K", bound=tuple[Hashable, ...])
V = TypeVar("V")


class _Coalesced(Generic[K, V]):
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


def _settle(future: asyncio.Future[V], value: V) -> None:
    if not future.done():  # a cancelled caller
        future.set_result(value)


class PostLookups(_Coalesced[tuple[int, str, int | str], Row | None]):
    """Posts by a key, one array per field: (workspace id, kind, number) or (workspace id,
    channel, message id); the statement numbers its rows `lookup_i`."""

    async def get(self, key: tuple[int, str, int | str]) -> Row | None:
        return await self._call(key)

    def _answer(self, keys: Any, rows: list[Row], futures: Any) -> None:
        found = {row["lookup_i"] - 1: row for row in rows}
        for i, waiting in enumerate(futures):
            for future in waiting:
                _settle(future, found.get(i))


_CLAIM_COLUMNS = ("workspace_id", "job", "period", "owner", "claimed_ms")


class Claims(_Coalesced[tuple[int, str, str, str, int], bool]):
    """Claims by (workspace id, job, period, owner, ms); the statement returns the rows it
    inserted. Exactly one caller wins a claim: of identical calls, only the first."""

    async def claim(self, key: tuple[int, str, str, str, int]) -> bool:
        return await self._call(key)

    def _answer(self, keys: Any, rows: list[Row], futures: Any) -> None:
        won = {tuple(row[c] for c in _CLAIM_COLUMNS) for row in rows}  # whole rows: the owner too
        for key, waiting in zip(keys, futures, strict=True):
            for n, future in enumerate(waiting):
                _settle(future, n == 0 and key in won)
