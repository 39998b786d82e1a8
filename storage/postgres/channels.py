"""The PostgreSQL store's channel names: recorded as the adapters see them, read by the web view
to show `#name` rather than a channel id (through the web view's own pool, when given)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from bot.domain import WorkspaceRef
from storage.postgres.database import Database
from storage.postgres.held import source

__all__ = ["PostgresChannels"]

# Nothing is written when the name is the same: only a rename changes the row.
SET_CHANNEL_NAME = """
INSERT INTO channel_names (workspace_id, channel_id, name) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, channel_id) DO UPDATE SET name = excluded.name
WHERE channel_names.name IS DISTINCT FROM excluded.name
RETURNING 1"""
CHANNEL_NAMES = """
SELECT channel_id, name FROM channel_names
WHERE workspace_id = $1 AND channel_id = ANY($2::text[])"""


class PostgresChannels:
    def __init__(self, db: Database, pool: Any = None) -> None:
        self._db = db
        self._pool = db.pool if pool is None else pool

    async def set_channel_name(self, workspace: WorkspaceRef, channel_id: str, name: str) -> bool:
        ws = await self._db.workspace_id(workspace)
        return await self._db.fetchrow(SET_CHANNEL_NAME, ws, channel_id, name) is not None

    async def channel_names(
        self, workspace: WorkspaceRef, channel_ids: Collection[str]
    ) -> Mapping[str, str]:
        if not channel_ids:
            return {}
        ws = await self._db.known_workspace(workspace)
        async with self._db.guard():
            rows = await source(self._pool).fetch(CHANNEL_NAMES, ws, sorted(set(channel_ids)))
        return {str(row["channel_id"]): str(row["name"]) for row in rows}
