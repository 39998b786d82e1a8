"""The SQLite store's /top and search: reads on the session's connection, off the loop thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import RankedAnswer, SearchHit, TopQuery, WorkspaceRef
from bot.search_query import SearchQuery
from storage.rows import answer_from_row, question_from_row, to_ms
from storage.snippets import search_hit
from storage.sqlite.search_terms import fts_match
from storage.sqlite.session import Session
from storage.sqlite.sql import SEARCH, top_answers

__all__ = ["SqliteRanking"]

_TOP_FILTERS = ("channel", "since", "tag", "question")


class SqliteRanking:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        params = {
            "channel": None if query.question is not None else query.channel_id,
            "since": None if since is None else to_ms(since),
            "tag": query.tag, "question": query.question, "limit": query.limit,
        }  # fmt: skip
        statement = top_answers(**{key: params[key] is not None for key in _TOP_FILTERS})
        rows = await self._session.read(workspace, statement, params)
        ranked = []
        for rank, row in enumerate(rows, start=1):
            question = question_from_row(row, workspace, prefix="q_")
            answer = answer_from_row(row, workspace)
            accepted = question.accepted_answer == answer.number
            ranked.append(RankedAnswer(rank, answer, question, accepted))
        return ranked

    async def search(
        self, workspace: WorkspaceRef, query: SearchQuery, *, limit: int
    ) -> Sequence[SearchHit]:
        params = {"match": fts_match(query), "limit": limit}
        rows = await self._session.read(workspace, SEARCH, params)
        return [search_hit(row, workspace) for row in rows]
