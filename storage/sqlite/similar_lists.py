"""The SQLite store's writes of the kept lists of similar questions (bot/similar_lists.py makes
them, migration 0021 says why they are kept, storage/sqlite/web.py reads them)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.domain import WorkspaceRef
from storage.sqlite.session import Session

__all__ = ["SqliteSimilarLists"]

RECORD_LIST = """
INSERT INTO similar_lists (workspace_id, number, made_for) VALUES (:ws, :number, :made_for)
ON CONFLICT (workspace_id, number) DO UPDATE SET made_for = excluded.made_for"""
CLEAR_ENTRIES = "DELETE FROM similar_entries WHERE workspace_id = :ws AND number = :number"
# The question's own entries (:number's list) and, in the lists made for the same channels, its
# place beside each of them: similarity is symmetric. `:found` is [[number, similarity], ...].
ADD_ENTRIES = """
INSERT INTO similar_entries (workspace_id, number, similar_number, similarity)
SELECT :ws, :number, found.value ->> 0, found.value ->> 1 FROM json_each(:found) AS found
UNION ALL
SELECT :ws, l.number, :number, found.value ->> 1 FROM json_each(:found) AS found
CROSS JOIN similar_lists l  -- CROSS: each found number looks its list up, never the reverse
  ON l.workspace_id = :ws AND l.number = found.value ->> 0 AND l.made_for = :made_for
WHERE true
ON CONFLICT (workspace_id, number, similar_number) DO UPDATE SET similarity = excluded.similarity"""
# Each list the question joined keeps its :keep most similar.
CUT_LISTS = """
DELETE FROM similar_entries AS e
WHERE e.workspace_id = :ws AND e.number IN (SELECT value FROM json_each(:lists))
  AND e.similar_number NOT IN (
      SELECT k.similar_number FROM similar_entries k
      WHERE k.workspace_id = e.workspace_id AND k.number = e.number
      ORDER BY k.similarity DESC, k.similar_number DESC
      LIMIT :keep)"""


class SqliteSimilarLists:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def keep_similar(
        self,
        workspace: WorkspaceRef,
        number: int,
        similar: Sequence[tuple[int, float]],
        *,
        made_for: str,
        keep: int,
    ) -> None:
        found = sorted(similar)
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            mine = {"ws": ws, "number": number}
            await db.execute(RECORD_LIST, {**mine, "made_for": made_for})
            await db.execute(CLEAR_ENTRIES, mine)
            params = {**mine, "found": json.dumps(found), "made_for": made_for}
            await db.execute(ADD_ENTRIES, params)
            lists = json.dumps([number, *(n for n, _ in found)])
            await db.execute(CUT_LISTS, {"ws": ws, "lists": lists, "keep": keep})
