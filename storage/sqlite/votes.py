"""The SQLite store's votes: reactions through the writer, and the rarer whole-post changes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

import storage.sqlite.ops as ops
from bot.domain import PostId, WorkspaceRef
from bot.ports import VoteTally
from storage.rows import to_ms
from storage.sqlite.session import Session
from storage.sqlite.sql import (
    CLEAR_VOTES,
    DROP_OPTED_OUT,
    LIVE_POST_ID,
    RECORD_CLEARED,
    RECOUNT,
    RETALLY_POST,
)
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter

__all__ = ["SqliteVotes", "live_post_id", "retally"]


async def live_post_id(db: aiosqlite.Connection, ws: int, post_id: PostId) -> int | None:
    """The row id of a live post, on the session's connection."""
    rows = list(await db.execute_fetchall(LIVE_POST_ID, (ws, post_id.kind.value, post_id.number)))
    return int(rows[0][0]) if rows else None


async def retally(db: aiosqlite.Connection, post: int, *, changed: bool) -> VoteTally:
    """Recount one post from its vote rows, on the session's connection."""
    rows = list(await db.execute_fetchall(RETALLY_POST, {"post": post}))
    return VoteTally(rows[0]["ups"], rows[0]["downs"], changed=changed)


class SqliteVotes:
    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def add_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        weight: int,
        at: datetime,
    ) -> VoteTally:
        at_ms = to_ms(at)

        def add(db: sqlite3.Connection) -> VoteTally:
            ws = self._workspaces.id(db, workspace)
            return ops.vote(
                db, ws, post_id, voter=voter_id, emoji=emoji, weight=weight, at_ms=at_ms
            )

        return await self._writer.run(add)

    async def remove_vote(
        self, workspace: WorkspaceRef, post_id: PostId, *, voter_id: str, emoji: str
    ) -> VoteTally:
        def remove(db: sqlite3.Connection) -> VoteTally:
            ws = self._workspaces.id(db, workspace)
            return ops.vote(db, ws, post_id, voter=voter_id, emoji=emoji, weight=None)

        return await self._writer.run(remove)

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            post = await live_post_id(db, ws, post_id)
            if post is None:
                return VoteTally(0, 0, changed=False)
            params = {"post": post, "emoji": emoji}
            await db.execute(RECORD_CLEARED, params)
            cursor = await db.execute(CLEAR_VOTES, params)
            return await retally(db, post, changed=cursor.rowcount > 0)

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        async with self._session.transaction() as db:
            ws = None if workspace is None else await self._session.workspace_id(db, workspace)
            await db.execute(DROP_OPTED_OUT, {"ws": ws})
            cursor = await db.execute(RECOUNT, {"ws": ws})
            return cursor.rowcount

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        # Through the writer: the hot-answer check claims on every vote past the threshold.
        def insert(db: sqlite3.Connection) -> bool:
            ws = self._workspaces.id(db, workspace)
            return ops.claim(db, ws, job, period, owner, to_ms(at))

        return await self._writer.run(insert, savepoint=False)
