"""The SQLite store's catch-up reads and its vote-snapshot write (for bot/reconcile.py)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import Answer, PostId, Question, WorkspaceRef
from bot.ports import VoteRow, VoteTally
from storage import sqlite_sql as sql
from storage.rows import answer_from_row, question_from_row, to_ms

__all__ = ["SqliteReconcile"]

RECENT_QUESTIONS = f"""{sql._POST}
WHERE p.workspace_id = :ws AND p.kind = 'Q' AND p.removed = 0 AND p.created_ms >= :since
  AND p.message_id IS NOT NULL
ORDER BY p.created_ms DESC, p.id DESC
LIMIT :limit"""

ANSWERS_TO = f"""{sql._POST}
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
    _db: aiosqlite.Connection
    _lock: asyncio.Lock

    if TYPE_CHECKING:  # provided by SqliteStore

        def _guard(self) -> AbstractAsyncContextManager[None]: ...

        def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]: ...

        async def _workspace_id(self, db: aiosqlite.Connection, workspace: WorkspaceRef) -> int: ...

        async def _post_row(
            self, db: aiosqlite.Connection, ws: int, post_id: PostId
        ) -> int | None: ...

        async def _retally(
            self, db: aiosqlite.Connection, post: int, *, changed: bool
        ) -> VoteTally: ...

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        async with self._lock, self._guard():
            ws = await self._workspace_id(self._db, workspace)
            params = {"ws": ws, "since": to_ms(since), "limit": limit}
            rows: list[sqlite3.Row] = list(
                await self._db.execute_fetchall(RECENT_QUESTIONS, params)
            )
        return [question_from_row(row, workspace) for row in rows]

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        async with self._lock, self._guard():
            ws = await self._workspace_id(self._db, workspace)
            params = {"ws": ws, "question": question}
            rows: list[sqlite3.Row] = list(await self._db.execute_fetchall(ANSWERS_TO, params))
        return [answer_from_row(row, workspace) for row in rows]

    async def replace_votes(
        self, workspace: WorkspaceRef, post_id: PostId, votes: Sequence[VoteRow], *, at: datetime
    ) -> VoteTally:
        snapshot = json.dumps([[v.voter_id, v.emoji, v.weight] for v in votes])
        async with self._transaction() as db:
            post = await self._post_row(db, await self._workspace_id(db, workspace), post_id)
            if post is None:
                return VoteTally(0, 0, changed=False)
            params = {"post": post, "snapshot": snapshot, "at": to_ms(at)}
            dropped = await db.execute(DROP_VOTES_NOT_IN, params)
            added = await db.execute(ADD_VOTES_IN, params)
            changed = dropped.rowcount > 0 or added.rowcount > 0
            return await self._retally(db, post, changed=changed)
