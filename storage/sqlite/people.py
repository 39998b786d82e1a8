"""The SQLite store's people: each person's headline (bot/headlines.py asks)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping

from bot.domain import WorkspaceRef
from storage.sqlite.session import Session
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter

__all__ = ["FORGET_HEADLINE", "SqlitePeople"]

SET_HEADLINE = """
INSERT INTO headlines (workspace_id, user_id, headline) VALUES (:ws, :user, :headline)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET headline = excluded.headline"""
FORGET_HEADLINE = "DELETE FROM headlines WHERE workspace_id = :ws AND user_id = :user"
HEADLINES = """
SELECT user_id, headline FROM headlines
WHERE workspace_id = :ws AND user_id IN (SELECT value FROM json_each(:users))"""


class SqlitePeople:
    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def set_headline(
        self, workspace: WorkspaceRef, user_id: str, headline: str | None
    ) -> bool:
        statement = FORGET_HEADLINE if headline is None else SET_HEADLINE
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            cursor = await db.execute(statement, {"ws": ws, "user": user_id, "headline": headline})
            return cursor.rowcount > 0

    async def headlines(
        self, workspace: WorkspaceRef, user_ids: Collection[str]
    ) -> Mapping[str, str]:
        if not user_ids:
            return {}
        users = json.dumps(sorted(set(user_ids)))

        # A primary-key lookup of a page's few people, which every /top makes: at once on the
        # writer's connection (SqliteWriter.read), not a hop to the aiosqlite thread and back.
        def find(db: sqlite3.Connection) -> dict[str, str]:
            ws = self._workspaces.id(db, workspace, create=False)
            rows = db.execute(HEADLINES, {"ws": ws, "users": users})
            return {str(user): str(headline) for user, headline in rows}

        return await self._writer.read(find)
