"""The PostgreSQL store's writes of the kept lists of similar questions (bot/similar_lists.py
makes them, migration 0021 says why they are kept, storage/postgres/web.py reads them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import WorkspaceRef
from storage.postgres.database import Database

__all__ = ["PostgresSimilarLists"]

RECORD_LIST = """
INSERT INTO similar_lists (workspace_id, number, made_for) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, number) DO UPDATE SET made_for = excluded.made_for"""
CLEAR_ENTRIES = "DELETE FROM similar_entries WHERE workspace_id = $1 AND number = $2"
# The question's own entries ($2's list) and, in the lists made for the same channels ($5), its
# place beside each of them: similarity is symmetric.
ADD_ENTRIES = """
INSERT INTO similar_entries (workspace_id, number, similar_number, similarity)
SELECT $1, $2, found.number, found.similarity
FROM unnest($3::bigint[], $4::real[]) AS found (number, similarity)
UNION ALL
SELECT $1, l.number, $2, found.similarity
FROM unnest($3::bigint[], $4::real[]) AS found (number, similarity)
JOIN similar_lists l ON l.workspace_id = $1 AND l.number = found.number AND l.made_for = $5
ON CONFLICT (workspace_id, number, similar_number) DO UPDATE SET similarity = excluded.similarity"""
# Each list the question joined keeps its `$3` most similar.
CUT_LISTS = """
DELETE FROM similar_entries e
WHERE e.workspace_id = $1 AND e.number = ANY($2::bigint[])
  AND e.similar_number NOT IN (
      SELECT k.similar_number FROM similar_entries k
      WHERE k.workspace_id = e.workspace_id AND k.number = e.number
      ORDER BY k.similarity DESC, k.similar_number DESC
      LIMIT $3)"""


class PostgresSimilarLists:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep_similar(
        self,
        workspace: WorkspaceRef,
        number: int,
        similar: Sequence[tuple[int, float]],
        *,
        made_for: str,
        keep: int,
    ) -> None:
        ws = await self._db.workspace_id(workspace)
        # In one order, so two makers of lists sharing questions mostly lock their rows alike;
        # a deadlock between them is retried (Database.write).
        ordered = sorted(similar)
        numbers = [n for n, _ in ordered]
        similarities = [s for _, s in ordered]

        async def write(conn: Any) -> None:
            await conn.execute(RECORD_LIST, ws, number, made_for)
            await conn.execute(CLEAR_ENTRIES, ws, number)
            await conn.execute(ADD_ENTRIES, ws, number, numbers, similarities, made_for)
            await conn.execute(CUT_LISTS, ws, [number, *numbers], keep)

        await self._db.write(write)
