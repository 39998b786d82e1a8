"""The SQLite store's channel names: recorded as the adapters see them, read by the web view to
show `#name` rather than a channel id."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from bot.domain import WorkspaceRef
from storage.sqlite.session import Session

__all__ = ["SqliteChannels"]

# Nothing is written when the name is the same: only a rename changes the row.
SET_CHANNEL_NAME = """
INSERT INTO channel_names (workspace_id, channel_id, name) VALUES (:ws, :channel, :name)
ON CONFLICT (workspace_id, channel_id) DO UPDATE SET name = excluded.name
WHERE channel_names.name IS NOT excluded.name"""
CHANNEL_NAMES = """
SELECT channel_id, name FROM channel_names
WHERE workspace_id = :ws AND channel_id IN (SELECT value FROM json_each(:channels))"""


class SqliteChannels:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def set_channel_name(self, workspace: WorkspaceRef, channel_id: str, name: str) -> bool:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            params = {"ws": ws, "channel": channel_id, "name": name}
            cursor = await db.execute(SET_CHANNEL_NAME, params)
            return cursor.rowcount > 0

    async def channel_names(
        self, workspace: WorkspaceRef, channel_ids: Collection[str]
    ) -> Mapping[str, str]:
        if not channel_ids:
            return {}
        channels = json.dumps(sorted(set(channel_ids)))
        rows = await self._session.read(workspace, CHANNEL_NAMES, {"channels": channels})
        return {str(row["channel_id"]): str(row["name"]) for row in rows}
