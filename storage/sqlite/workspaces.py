"""Workspace row ids for the SQLite store: one cache, shared by its two connections."""

from __future__ import annotations

import sqlite3

from bot.domain import WorkspaceRef
from storage.sqlite.sql import INSERT_WORKSPACE, SELECT_WORKSPACE

__all__ = ["WorkspaceIds"]


class WorkspaceIds:
    """The row id of each workspace seen, by (platform, workspace id).

    Whoever rolls back a transaction that may have inserted a workspace clears the cache: SQLite
    may hand a rolled-back row's id to the next insert. An id is cached only inside the write
    transaction that inserted it or once committed, and both connections write under SQLite's one
    write lock, so the other connection never writes with an id that is not (yet) a row; a read
    there with such an id finds nothing, as for a workspace never seen.
    """

    def __init__(self) -> None:
        self._ids: dict[WorkspaceRef, int] = {}

    def clear(self) -> None:
        self._ids.clear()

    def get(self, workspace: WorkspaceRef) -> int | None:
        return self._ids.get(workspace)

    def remember(self, workspace: WorkspaceRef, row_id: int) -> int:
        self._ids[workspace] = row_id
        return row_id

    def id(self, db: sqlite3.Connection, workspace: WorkspaceRef, *, create: bool = True) -> int:
        """The workspace's row id on a plain sqlite3 connection (the writer's); for reads
        (`create=False`) 0, which no row has, when the workspace has never been seen."""
        cached = self._ids.get(workspace)
        if cached is None:
            key = (workspace.platform, workspace.workspace_id)
            if create:
                db.execute(INSERT_WORKSPACE, key)
            row = db.execute(SELECT_WORKSPACE, key).fetchone()
            if row is None:
                return 0
            cached = self.remember(workspace, int(row[0]))
        return cached
