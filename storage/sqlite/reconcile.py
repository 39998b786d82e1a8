"""The SQLite store's catch-up reads and its vote-snapshot write (for bot/reconcile.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Answer, PostId, Question, WorkspaceRef
from bot.ports import VoteRow, VoteTally
from storage.rows import answer_from_row, question_from_row, to_ms
from storage.sqlite.session import Session
from storage.sqlite.sql import SELECT_POST
from storage.sqlite.votes import live_post_id, retally

__all__ = ["SqliteReconcile"]

RECENT_QUESTIONS = f"""{SELECT_POST}
WHERE p.workspace_id = :ws AND p.kind = 'Q' AND p.removed = 0 AND p.created_ms >= :since
  AND p.message_id IS NOT NULL
ORDER BY p.created_ms DESC, p.id DESC
LIMIT :limit"""

ANSWERS_TO = f"""{SELECT_POST}
WHERE p.workspace_id = :ws AND p.kind = 'A' AND p.removed = 0
  AND p.question_id = (SELECT id FROM posts WHERE workspace_id = :ws AND kind = 'Q'
                       AND number = :question)
ORDER BY p.number ASC"""

# The snapshot arrives as one JSON array of [voter, emoji, weight]: one statement drops the rows
# it lacks, one adds the rows it has (existing rows keep their time).
_SNAPSHOT = (
    "SELECT json_extract(value, '$[0]') AS voter, json_extract(value, '$[1]') AS emoji,"
    " json_extract(value, '$[2]') AS weight FROM json_each(:snapshot)"
)
DROP_VOTES_NOT_IN = f"""
DELETE FROM votes WHERE post_id = :post
  AND (voter_id, emoji) NOT IN (SELECT voter, emoji FROM ({_SNAPSHOT}))"""
ADD_VOTES_IN = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms)
SELECT :post, voter, emoji, weight, :at FROM ({_SNAPSHOT}) WHERE true
ON CONFLICT DO NOTHING"""


class SqliteReconcile:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        params = {"since": to_ms(since), "limit": limit}
        rows = await self._session.read(workspace, RECENT_QUESTIONS, params)
        return [question_from_row(row, workspace) for row in rows]

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        rows = await self._session.read(workspace, ANSWERS_TO, {"question": question})
        return [answer_from_row(row, workspace) for row in rows]

    async def replace_votes(
        self, workspace: WorkspaceRef, post_id: PostId, votes: Sequence[VoteRow], *, at: datetime
    ) -> VoteTally:
        snapshot = json.dumps([[v.voter_id, v.emoji, v.weight] for v in votes])
        async with self._session.transaction() as db:
            post = await live_post_id(db, await self._session.workspace_id(db, workspace), post_id)
            if post is None:
                return VoteTally(0, 0, changed=False)
            params = {"post": post, "snapshot": snapshot, "at": to_ms(at)}
            dropped = await db.execute(DROP_VOTES_NOT_IN, params)
            added = await db.execute(ADD_VOTES_IN, params)
            changed = dropped.rowcount > 0 or added.rowcount > 0
            return await retally(db, post, changed=changed)
