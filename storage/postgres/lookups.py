"""Post lookups and vote claims for PostgreSQL, coalesced: every reaction looks its post up (and
the first vote on a hot answer writes its claim), and with votes sharing one statement
(storage/postgres/vote_batch.py) those calls would cost a round trip each. The calls waiting
in the process go out as one statement, each distinct key once.

Each kind of call is one `Coalesced` statement (storage/postgres/coalesced.py).
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from storage.postgres.coalesced import Coalesced
from storage.rows import Row

__all__ = ["Claims", "PostLookups"]


V = TypeVar("V")


def _settle(future: asyncio.Future[V], value: V) -> None:
    if not future.done():  # a cancelled caller
        future.set_result(value)


class PostLookups(Coalesced[tuple[int, str, int | str], Row | None]):
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


class Claims(Coalesced[tuple[int, str, str, str, int], bool]):
    """Claims by (workspace id, job, period, owner, ms); the statement returns the rows it
    inserted. Exactly one caller wins a claim: of identical calls, only the first."""

    async def claim(self, key: tuple[int, str, str, str, int]) -> bool:
        return await self._call(key)

    def _answer(self, keys: Any, rows: list[Row], futures: Any) -> None:
        won = {tuple(row[c] for c in _CLAIM_COLUMNS) for row in rows}  # whole rows: the owner too
        for key, waiting in zip(keys, futures, strict=True):
            for n, future in enumerate(waiting):
                _settle(future, n == 0 and key in won)
