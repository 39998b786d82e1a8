"""The PostgreSQL store's /top and search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import RankedAnswer, SearchHit, TopQuery, WorkspaceRef
from bot.search_query import SearchQuery
from storage.postgres.database import Database
from storage.postgres.search_terms import HEADLINE_OPTIONS, tsquery_texts
from storage.postgres.sql import SEARCH, USE_SEARCH_LANGUAGE, top_answers
from storage.rows import ranked_from_rows, to_ms
from storage.snippets import search_hit

__all__ = ["PostgresRanking"]


class PostgresRanking:
    """/top's statement costs more to plan than to run, and PostgreSQL keeps planning it per
    call (its generic plan's estimates look worse, the plan is the same): `ranking` is a pool
    whose connections plan it once (every shape but a tag's, see top_answers)."""

    def __init__(self, db: Database, ranking: Any = None) -> None:
        self._db = db
        self._ranking = ranking

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        statement, args = top_answers(
            ws=await self._db.known_workspace(workspace),
            channel=None if query.question is not None else query.channel_id,
            since=None if since is None else to_ms(since),
            tag=query.tag, question=query.question, limit=query.limit,
        )  # fmt: skip
        # A tag's share of a channel is what per-call planning gets right (a rare tag is read
        # through its questions, a common one in ranking order): those keep the main pool. So
        # does a whole workspace's window (the web view's front page): the generic plan, not
        # knowing the limit, joins every post to the winners instead of looking up thirty.
        whole = query.channel_id is None and query.question is None and since is not None
        per_call = query.tag is not None or whole
        pool = self._db.pool if per_call else self._ranking or self._db.pool
        async with self._db.guard():
            rows = await pool.fetch(statement, *args)
        return ranked_from_rows(rows, workspace)

    async def search(
        self, workspace: WorkspaceRef, query: SearchQuery, *, limit: int
    ) -> Sequence[SearchHit]:
        ws = await self._db.known_workspace(workspace)
        words, tags = tsquery_texts(query)
        args = (words, tags, ws, limit, HEADLINE_OPTIONS)
        return [search_hit(row, workspace) for row in await self._db.fetch(SEARCH, *args)]

    async def use_search_language(self, language: str) -> bool:
        """Stem search in `language` (a text search configuration) from now on, rebuilding the
        index if it is built in another; true when it was."""
        row = await self._db.fetchrow(USE_SEARCH_LANGUAGE, language)
        return row is not None and bool(row["rebuilt"])
