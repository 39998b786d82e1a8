"""The PostgreSQL store's people: each person's headline (bot/headlines.py asks)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bot.domain import WorkspaceRef
from storage.postgres.database import Database

__all__ = ["FORGET_HEADLINE", "PostgresPeople"]

SET_HEADLINE = """
INSERT INTO headlines (workspace_id, user_id, headline) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET headline = excluded.headline
RETURNING 1"""
FORGET_HEADLINE = "DELETE FROM headlines WHERE workspace_id = $1 AND user_id = $2 RETURNING 1"
HEADLINES = """
SELECT user_id, headline FROM headlines WHERE workspace_id = $1 AND user_id = ANY($2::text[])"""


class PostgresPeople:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_headline(
        self, workspace: WorkspaceRef, user_id: str, headline: str | None
    ) -> bool:
        if headline is None:
            ws = await self._db.known_workspace(workspace)
            return await self._db.fetchrow(FORGET_HEADLINE, ws, user_id) is not None
        ws = await self._db.workspace_id(workspace)
        return await self._db.fetchrow(SET_HEADLINE, ws, user_id, headline) is not None

    async def headlines(
        self, workspace: WorkspaceRef, user_ids: Collection[str]
    ) -> Mapping[str, str]:
        if not user_ids:
            return {}
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(HEADLINES, ws, sorted(set(user_ids)))
        return {str(row["user_id"]): str(row["headline"]) for row in rows}
