"""The SQLite store's /top and search.

/top runs on the writer's connection, on the event loop's thread, when it takes at most
`TOP_ON_LOOP_S` there: a hop to the session's thread and back costs about as much as the whole
statement on a busy channel's week. A /top that reads the index longer (a quiet channel's day at
a large size, a rare tag) is stopped at that limit and runs on the session's thread instead, so
it never holds the acknowledgements queued behind it on the loop. While writes wait for the
writer, the loop is the busy part and the session's thread idle: /top goes to the thread then,
as search always does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import RankedAnswer, SearchHit, TopQuery, WorkspaceRef
from bot.search_query import SearchQuery
from storage.rows import ranked_from_rows, to_ms
from storage.snippets import search_hit
from storage.sqlite.named_rows import named_rows
from storage.sqlite.search_terms import fts_match
from storage.sqlite.session import Session
from storage.sqlite.sql import SEARCH, top_answers
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter

__all__ = ["SqliteRanking"]

_TOP_FILTERS = ("channel", "since", "tag", "question")
TOP_ON_LOOP_S = 0.003  # the longest a /top may hold the event loop before it moves to a thread


class SqliteRanking:
    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        params = {
            "channel": None if query.question is not None else query.channel_id,
            "since": None if since is None else to_ms(since),
            "tag": query.tag, "question": query.question, "limit": query.limit,
        }  # fmt: skip
        statement = top_answers(**{key: params[key] is not None for key in _TOP_FILTERS})

        def on_loop(db: sqlite3.Connection) -> list[Any]:
            ws = self._workspaces.id(db, workspace, create=False)
            return named_rows(db, statement, {**params, "ws": ws})

        rows = None if self._writer.busy else await self._writer.read_within(on_loop, TOP_ON_LOOP_S)
        if rows is None:
            rows = await self._session.read(workspace, statement, params)
        return ranked_from_rows(rows, workspace)

    async def search(
        self, workspace: WorkspaceRef, query: SearchQuery, *, limit: int
    ) -> Sequence[SearchHit]:
        params = {"match": fts_match(query), "limit": limit}
        rows = await self._session.read(workspace, SEARCH, params)
        return [search_hit(row, workspace) for row in rows]
