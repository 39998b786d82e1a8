"""Event ids claimed across every process sharing the database (`event_claims`, migration
0013): the first claim of an id wins, in one statement shared by the claims waiting in the
process, and rows older than `KEEP_MS` are deleted at most once per `PRUNE_EVERY_MS`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from storage.postgres.coalesced import Coalesced
from storage.rows import Row

__all__ = ["KEEP_MS", "EventClaims"]

log = logging.getLogger("qabot.storage")

KEEP_MS = 3_600_000  # an hour: Slack retries for a few minutes at most
PRUNE_EVERY_MS = 600_000

CLAIM_EVENTS = """
INSERT INTO event_claims (platform, event_id, claimed_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
ON CONFLICT DO NOTHING
RETURNING platform, event_id"""
RELEASE_EVENT = "DELETE FROM event_claims WHERE platform = $1 AND event_id = $2"
PRUNE_EVENTS = "DELETE FROM event_claims WHERE claimed_ms < $1"


class _Claims(Coalesced[tuple[str, str, int], bool]):
    async def claim(self, key: tuple[str, str, int]) -> bool:
        return await self._call(key)

    def _answer(self, keys: Any, rows: list[Row], futures: Any) -> None:
        won = {(row["platform"], row["event_id"]) for row in rows}
        for (platform, event_id, _), waiting in zip(keys, futures, strict=True):
            for n, future in enumerate(waiting):
                if not future.done():  # a cancelled caller
                    future.set_result(n == 0 and (platform, event_id) in won)


class EventClaims:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._claims = _Claims(pool, CLAIM_EVENTS)
        self._pruned_ms = 0
        self._pruning: asyncio.Task[None] | None = None

    async def claim(self, platform: str, event_id: str, at_ms: int) -> bool:
        if at_ms - self._pruned_ms >= PRUNE_EVERY_MS and self._pruning is None:
            self._pruned_ms = at_ms
            self._pruning = asyncio.create_task(self._prune(at_ms - KEEP_MS))
        return await self._claims.claim((platform, event_id, at_ms))

    async def release(self, platform: str, event_id: str) -> None:
        await self._pool.execute(RELEASE_EVENT, platform, event_id)

    async def close(self) -> None:
        await self._claims.close()
        if self._pruning is not None:
            await self._pruning

    async def _prune(self, before_ms: int) -> None:
        try:
            await self._pool.execute(PRUNE_EVENTS, before_ms)
        except Exception as error:  # the next claims try again; old rows only cost space
            log.warning("could not delete old event claims: %s", type(error).__name__)
        finally:
            self._pruning = None
