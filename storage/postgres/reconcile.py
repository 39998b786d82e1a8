"""The PostgreSQL store's catch-up reads and its vote-snapshot write (bot/reconcile.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Answer, PostId, Question, WorkspaceRef
from bot.ports import VoteRow, VoteTally
from storage.postgres.database import Database, rowcount
from storage.postgres.sql import LOCK_LIVE_POST, RETALLY_POST, SELECT_POST
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

# The snapshot arrives as three parallel arrays: one statement drops the rows it lacks, one adds
# the rows it has (existing rows keep their time). The post's row lock is held throughout.
_SNAPSHOT = "SELECT * FROM unnest($2::text[], $3::text[], $4::integer[]) AS s(voter, emoji, weight)"
DROP_VOTES_NOT_IN = f"""
DELETE FROM votes WHERE post_id = $1
  AND (voter_id, emoji) NOT IN (SELECT voter, emoji FROM ({_SNAPSHOT}) AS s)"""
ADD_VOTES_IN = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms)
SELECT $1, voter, emoji, weight, $5 FROM ({_SNAPSHOT}) AS s
ON CONFLICT DO NOTHING"""


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

    async def replace_votes(
        self, workspace: WorkspaceRef, post_id: PostId, votes: Sequence[VoteRow], *, at: datetime
    ) -> VoteTally:
        ws = await self._db.workspace_id(workspace)
        snapshot = (
            [v.voter_id for v in votes],
            [v.emoji for v in votes],
            [v.weight for v in votes],
        )

        async def replace(conn: Any) -> VoteTally:
            post = await conn.fetchval(LOCK_LIVE_POST, ws, post_id.kind.value, post_id.number)
            if post is None:
                return VoteTally(0, 0, changed=False)
            dropped = rowcount(await conn.execute(DROP_VOTES_NOT_IN, post, *snapshot))
            added = rowcount(await conn.execute(ADD_VOTES_IN, post, *snapshot, to_ms(at)))
            row = await conn.fetchrow(RETALLY_POST, post)
            return VoteTally(row["ups"], row["downs"], changed=dropped + added > 0)

        return await self._db.write(replace)
