"""The SQLite store's people: each person's headline (bot/headlines.py asks)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from bot.domain import WorkspaceRef
from storage.sqlite.session import Session

__all__ = ["FORGET_HEADLINE", "SqlitePeople"]

SET_HEADLINE = """
INSERT INTO headlines (workspace_id, user_id, headline) VALUES (:ws, :user, :headline)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET headline = excluded.headline"""
FORGET_HEADLINE = "DELETE FROM headlines WHERE workspace_id = :ws AND user_id = :user"
HEADLINES = """
SELECT user_id, headline FROM headlines
WHERE workspace_id = :ws AND user_id IN (SELECT value FROM json_each(:users))"""


class SqlitePeople:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        rows = await self._session.read(workspace, HEADLINES, {"users": users})
        return {str(row["user_id"]): str(row["headline"]) for row in rows}
