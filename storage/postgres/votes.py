"""The PostgreSQL store's votes: reactions through the vote batcher (with their vote limits),
claims through theirs, and the rarer whole-post changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain import PostId, WorkspaceRef
from bot.ports import BatchReport, VoteCheck, VoteTally
from storage.postgres.database import Database, rowcount
from storage.postgres.limits import NO_CHECK, LimitPruning, refused, vote_check
from storage.postgres.lookups import Claims
from storage.postgres.sql import (
    CLAIMS,
    CLEAR_VOTES,
    DROP_OPTED_OUT,
    LOCK_LIVE_POST,
    LOCK_POSTS,
    RECOUNT,
    RETALLY_POST,
    VOTE,
)
from storage.postgres.vote_batch import VoteBatcher, VoteEvent
from storage.rows import to_ms

__all__ = ["PostgresVotes"]


class PostgresVotes:
    def __init__(self, db: Database, pruning: LimitPruning) -> None:
        self._db = db
        self._pruning = pruning
        self._batcher = VoteBatcher(db.pool, self._single_vote)
        self._claims = Claims(db.pool, CLAIMS)

    async def close(self) -> None:
        """Let every queued vote and claim finish (before the pool closes)."""
        await self._batcher.close()
        await self._claims.close()

    def observe_batches(self, report: BatchReport) -> None:
        self._batcher.on_batch = report

    async def add_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        weight: int,
        at: datetime,
        check: VoteCheck | None = None,
    ) -> VoteTally:
        return await self._one_statement_vote(
            workspace, post_id, voter_id, emoji, weight, at, check
        )

    async def remove_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        check: VoteCheck | None = None,
    ) -> VoteTally:
        return await self._one_statement_vote(
            workspace, post_id, voter_id, emoji, None, None, check
        )

    async def _one_statement_vote(
        self, workspace: WorkspaceRef, post_id: PostId, voter: str, emoji: str,
        weight: int | None, at: datetime | None, check: VoteCheck | None,
    ) -> VoteTally:  # fmt: skip
        """Through the batcher (storage/postgres/vote_batch.py): concurrent votes share one
        statement and one commit, and a refused one fails alone."""
        ws = await self._db.workspace_id(workspace)
        at_ms = None if at is None else to_ms(at)
        kind = post_id.kind.value
        limits = vote_check(check)
        if limits is not NO_CHECK:
            self._pruning.voted(limits)
        return await self._batcher.vote(
            VoteEvent(ws, kind, post_id.number, voter, emoji, weight, at_ms, *limits)
        )

    async def _single_vote(self, event: VoteEvent) -> VoteTally:
        """One event in its own transaction (qabot_limited_vote, migration 0014), retried on
        conflict."""
        row = await self._db.write(lambda conn: conn.fetchrow(VOTE, *event))
        assert row is not None
        if row["o_limit"] is not None:
            raise refused(row["o_limit"], row["o_wait"])
        return VoteTally(
            row["o_ups"], row["o_downs"], changed=row["o_changed"], voter_net=row["o_net"]
        )

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        """Drop the post's vote rows (recorded as removed) and recount it, holding the post's
        row lock throughout."""
        ws = await self._db.workspace_id(workspace)

        async def clear(conn: Any) -> VoteTally:
            post = await conn.fetchval(LOCK_LIVE_POST, ws, post_id.kind.value, post_id.number)
            if post is None:
                return VoteTally(0, 0, changed=False)
            changed = rowcount(await conn.execute(CLEAR_VOTES, post, emoji)) > 0
            row = await conn.fetchrow(RETALLY_POST, post)
            return VoteTally(row["ups"], row["downs"], changed=changed)

        return await self._db.write(clear)

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        ws = None if workspace is None else await self._db.workspace_id(workspace)

        async def recount(conn: Any) -> int:
            await conn.execute(LOCK_POSTS, ws)
            await conn.execute(DROP_OPTED_OUT, ws)
            return rowcount(await conn.execute(RECOUNT, ws))

        return await self._db.write(recount)

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        ws = await self._db.workspace_id(workspace)
        # One statement, atomic by itself, shared with the other claims waiting (no BEGIN and
        # COMMIT round trips: the first vote on every hot answer claims it).
        return await self._claims.claim((ws, job, period, owner, to_ms(at)))
