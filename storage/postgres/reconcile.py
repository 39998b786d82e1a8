"""The PostgreSQL store's catch-up reads, its vote watermark and its vote-snapshot write
(bot/reconcile.py)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.domain import Answer, PostId, PostKind, Question, WorkspaceRef
from bot.ports import VoteRow, VoteTally
from storage.postgres.database import Database, rowcount
from storage.postgres.sql import CLOCK, LOCK_LIVE_POST, RETALLY_POST, SELECT_POST, VOTE_WATERMARK
from storage.rows import answer_from_row, question_from_row, to_ms

__all__ = ["PostgresReconcile"]

RECENT_QUESTIONS = f"""{SELECT_POST}
WHERE p.workspace_id = $1 AND p.kind = 'Q' AND NOT p.removed AND p.created_ms >= $2
  AND p.message_id IS NOT NULL
ORDER BY p.created_ms DESC, p.id DESC
LIMIT $3"""

ANSWERS_TO = f"""{SELECT_POST}
WHERE p.workspace_id = $1 AND p.kind = 'A' AND NOT p.removed
  AND p.question_id = (SELECT id FROM posts WHERE workspace_id = $1 AND kind = 'Q'
                       AND number = $2)
ORDER BY p.number ASC"""

# The snapshot arrives as three parallel arrays, the emoji keys it covers as a fourth: one
# statement drops the rows it lacks, one adds the rows it has (existing rows keep their time). The
# newer observation wins: a row written at or after the watermark ($5) stays, a vote removed live
# at or after it is not added back, and nobody who opted out is added. The post's row lock is
# held throughout.
_SNAPSHOT = "SELECT * FROM unnest($2::text[], $3::text[], $4::integer[]) AS s(voter, emoji, weight)"
DROP_VOTES_NOT_IN = f"""
DELETE FROM votes WHERE post_id = $1 AND seq < $5 AND emoji = ANY($6::text[])
  AND (voter_id, emoji) NOT IN (SELECT voter, emoji FROM ({_SNAPSHOT}) AS s)"""
ADD_VOTES_IN = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
SELECT $1, s.voter, s.emoji, s.weight, $7, {CLOCK} FROM ({_SNAPSHOT}) AS s
WHERE s.emoji = ANY($6::text[])
  AND NOT EXISTS (SELECT 1 FROM vote_removals r WHERE r.post_id = $1 AND r.voter_id = s.voter
                  AND r.emoji = s.emoji AND r.seq >= $5)
  AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = $8 AND o.user_id = s.voter)
ON CONFLICT DO NOTHING"""

# How many rows each live post of the list holds, per emoji.
HELD_VOTES = """
SELECT p.kind, p.number, v.emoji, COUNT(*)::integer AS held
FROM (SELECT DISTINCT kind, number FROM unnest($2::text[], $3::bigint[]) AS k(kind, number)) AS k
JOIN posts p ON p.workspace_id = $1 AND p.kind = k.kind AND p.number = k.number AND NOT p.removed
JOIN votes v ON v.post_id = p.id
GROUP BY p.id, v.emoji"""


class PostgresReconcile:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(RECENT_QUESTIONS, ws, to_ms(since), limit)
        return [question_from_row(row, workspace) for row in rows]

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(ANSWERS_TO, ws, question)
        return [answer_from_row(row, workspace) for row in rows]

    async def vote_watermark(self) -> int:
        async with self._db.guard():
            return int(await self._db.pool.fetchval(VOTE_WATERMARK))

    async def held_votes(
        self, workspace: WorkspaceRef, post_ids: Sequence[PostId]
    ) -> Mapping[PostId, Mapping[str, int]]:
        ws = await self._db.known_workspace(workspace)
        kinds = [p.kind.value for p in post_ids]
        rows = await self._db.fetch(HELD_VOTES, ws, kinds, [p.number for p in post_ids])
        held: dict[PostId, dict[str, int]] = {}
        for row in rows:
            post_id = PostId(PostKind(row["kind"]), row["number"])
            held.setdefault(post_id, {})[row["emoji"]] = row["held"]
        return held

    async def replace_votes(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        votes: Sequence[VoteRow],
        *,
        emoji: Collection[str],
        since: int,
        at: datetime,
    ) -> VoteTally:
        ws = await self._db.workspace_id(workspace)
        snapshot = (
            [v.voter_id for v in votes],
            [v.emoji for v in votes],
            [v.weight for v in votes],
        )
        keys = list(emoji)

        async def replace(conn: Any) -> VoteTally:
            post = await conn.fetchval(LOCK_LIVE_POST, ws, post_id.kind.value, post_id.number)
            if post is None:
                return VoteTally(0, 0, changed=False)
            dropped = rowcount(await conn.execute(DROP_VOTES_NOT_IN, post, *snapshot, since, keys))
            added = rowcount(
                await conn.execute(ADD_VOTES_IN, post, *snapshot, since, keys, to_ms(at), ws)
            )
            row = await conn.fetchrow(RETALLY_POST, post)
            return VoteTally(row["ups"], row["downs"], changed=dropped + added > 0)

        return await self._db.write(replace)
