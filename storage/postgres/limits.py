"""The abuse limits (bot/limits.py) kept in the database, so they hold across every process
sharing it (migration 0014). They go with the writes they limit: a vote's check runs inside its
vote batch (storage/postgres/vote_batch.py; migration 0017: three statements a batch, none an
event), which costs no round trip of its own, and a question's place is taken inside the
question's transaction, so a question that fails to be stored gives its place back by rolling
back. Rows older than any limit looks back are deleted at most once per `PRUNE_EVERY_MS` of the
bot's clock, in the background; forget-me deletes a person's at once."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from bot.ports import AskCheck, Refusal, Refused, VoteCheck
from storage.rows import to_ms

__all__ = ["NO_CHECK", "LimitPruning", "forget_limits", "refused", "take_ask", "vote_check"]

log = logging.getLogger("qabot.storage")

ASK_WINDOW_MS = 3_600_000
MINUTE_MS = 60_000
PRUNE_EVERY_MS = 600_000
# Rows are kept this much longer than a window, for processes on hosts whose clocks lag.
SKEW_MS = 60_000

TAKE_ASK = "SELECT qabot_take_ask($1, $2, $3, $4)"
# Forget-me takes the person's lock first (as their votes and questions do, before any post's),
# so one of theirs still being written commits before the rows are deleted; the delete is a
# statement of its own, whose snapshot then sees those rows.
LOCK_PERSON = "SELECT pg_advisory_xact_lock(qabot_limit_key($1, $2))"
FORGET_LIMITS = """
WITH asks AS (DELETE FROM limit_asks WHERE workspace_id = $1 AND asker_id = $2)
DELETE FROM limit_vote_changes WHERE workspace_id = $1 AND voter_id = $2"""
PRUNE_LIMITS = """
WITH asks AS (DELETE FROM limit_asks WHERE at_ms <= $1)
DELETE FROM limit_vote_changes WHERE at_ms <= $2"""

# A vote check as qabot_limited_vote takes it: (now ms, per minute, per post, cooldown ms).
VoteCheckArgs = tuple[int, int, int, int]
NO_CHECK: VoteCheckArgs = (0, 0, 0, 0)


def vote_check(check: VoteCheck | None) -> VoteCheckArgs:
    if check is None:
        return NO_CHECK
    cooldown_ms = int(check.cooldown.total_seconds() * 1000)
    return (to_ms(check.at), check.per_minute, check.per_post, cooldown_ms)


def refused(limit: str, wait_ms: int) -> Refused:
    return Refused(Refusal(limit, timedelta(milliseconds=max(wait_ms, 0))))


async def take_ask(conn: Any, ws: int, asker_id: str, check: AskCheck) -> None:
    """In the question's transaction: take the asker's place, or raise `Refused`."""
    wait = await conn.fetchval(TAKE_ASK, ws, asker_id, to_ms(check.at), check.per_hour)
    if wait is not None:
        raise refused("asks_per_hour", wait)


async def forget_limits(conn: Any, ws: int, user_id: str) -> None:
    """In forget-me's transaction, before it locks any post: delete the person's limit rows
    (they hold the user id)."""
    await conn.execute(LOCK_PERSON, ws, user_id)
    await conn.execute(FORGET_LIMITS, ws, user_id)


class LimitPruning:
    """Deletes the limits' rows that no check looks at any more: questions older than an hour,
    vote changes older than the longer of a minute and the cooldown."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._pruned_ms = 0
        self._vote_keep_ms = ASK_WINDOW_MS  # until a vote check says how long its window is
        self._pruning: asyncio.Task[None] | None = None

    def asked(self, check: AskCheck) -> None:
        self._due(to_ms(check.at))

    def voted(self, check: VoteCheckArgs) -> None:
        now_ms, _, _, cooldown_ms = check
        self._vote_keep_ms = max(MINUTE_MS, cooldown_ms)
        self._due(now_ms)

    async def close(self) -> None:
        if self._pruning is not None:
            await self._pruning

    def _due(self, now_ms: int) -> None:
        if now_ms - self._pruned_ms < PRUNE_EVERY_MS or self._pruning is not None:
            return
        self._pruned_ms = now_ms
        before_ms = now_ms - SKEW_MS
        cutoffs = (before_ms - ASK_WINDOW_MS, before_ms - self._vote_keep_ms)
        self._pruning = asyncio.create_task(self._prune(*cutoffs))

    async def _prune(self, asks_before_ms: int, votes_before_ms: int) -> None:
        try:
            await self._pool.execute(PRUNE_LIMITS, asks_before_ms, votes_before_ms)
        except Exception as error:  # the next checks try again; old rows only cost space
            log.warning("could not delete old limit rows: %s", type(error).__name__)
        finally:
            self._pruning = None
