"""The PostgreSQL store's reads and choices for the web view (adapters/web asks): published
questions, those like a question, questions hidden from the site, and each person's choice of
being named there. The reads go through the web view's own small pool when the store opened
one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.domain import Question, WorkspaceRef
from bot.ports import SimilarCandidate, WebFilter, WebNames, WebThread
from storage.postgres.database import Database
from storage.postgres.held import holding, source
from storage.postgres.sql import (
    ACCEPTED_NUMBER,
    ANSWER_COUNT,
    SELECT_POST,
    SELECT_QUESTION_AND_CHANGE,
)
from storage.rows import (
    RANKING_ORDER,
    WEB_THREAD_ANSWER,
    WEB_THREAD_QUESTION,
    WEB_THREAD_SIMILAR,
    Row,
    from_ms,
    post_select,
    question_from_row,
    similar_candidate_from_row,
    to_ms,
    web_names_from_rows,
    web_thread_from_rows,
)
from storage.web_similar import word_pairs

__all__ = ["FORGET_WEB_NAMES", "PostgresWeb"]

_SHOWN_AS = """{p}.workspace_id = $1 AND {p}.kind = 'Q' AND NOT {p}.removed
  AND NOT {p}.channel_private
  AND NOT EXISTS (SELECT 1 FROM web_hidden h WHERE h.workspace_id = $1 AND h.number = {p}.number)"""
_SHOWN = _SHOWN_AS.format(p="p")
_PAGE_POST = f"{post_select('p', '')}, p.kind, p.accepted_answer_id"
WEB_QUESTION = f"{SELECT_POST} WHERE {_SHOWN} AND p.number = $2"
# A question's page (storage/rows.py, web_thread_from_rows): the question, its first $3 live
# answers in /top's order and the first $4 shown questions of its kept list, each row with its
# author's names (none for an anonymous asker). Each post is read once, where it is found,
# and only the questions' rows count their answers.
WEB_THREAD = f"""WITH page AS MATERIALIZED (
    SELECT * FROM posts q WHERE {_SHOWN_AS.format(p="q")} AND q.number = $2),
parts AS (
    SELECT {WEB_THREAD_QUESTION} AS part, 0::bigint AS place, {_PAGE_POST},
           NULL::bigint AS question_number, c.name AS channel_name, l.made_for AS similar_made_for
    FROM page p
    LEFT JOIN channel_names c ON c.workspace_id = $1 AND c.channel_id = p.channel_id
    LEFT JOIN similar_lists l ON l.workspace_id = $1 AND l.number = p.number
  UNION ALL
    (SELECT {WEB_THREAD_ANSWER}, row_number() OVER (ORDER BY {RANKING_ORDER.format(p="p")}),
            {_PAGE_POST}, page.number, NULL, NULL
     FROM page JOIN posts p ON p.question_id = page.id AND p.kind = 'A' AND NOT p.removed
     ORDER BY {RANKING_ORDER.format(p="p")}
     LIMIT $3)
  UNION ALL
    (SELECT {WEB_THREAD_SIMILAR}, row_number() OVER (ORDER BY e.similarity DESC,
            e.similar_number DESC), {_PAGE_POST}, NULL, NULL, NULL
     FROM page
     JOIN similar_entries e ON e.workspace_id = $1 AND e.number = page.number
     JOIN posts p ON p.workspace_id = $1 AND p.kind = 'Q' AND p.number = e.similar_number
     WHERE {_SHOWN}
     ORDER BY e.similarity DESC, e.similar_number DESC
     LIMIT $4))
SELECT t.*, t.author_id AS user_id, h.headline, w.shown,
       {ACCEPTED_NUMBER.format(q="t")} AS accepted_number,
       CASE WHEN t.kind = 'Q' THEN {ANSWER_COUNT.format(q="t")} END AS answer_count
FROM parts t
LEFT JOIN headlines h ON h.workspace_id = $1 AND h.user_id = t.author_id AND NOT t.anonymous
LEFT JOIN web_names w ON w.workspace_id = $1 AND w.user_id = t.author_id AND NOT t.anonymous
ORDER BY t.part, t.place"""
WEB_QUESTIONS = f"""{SELECT_POST}
WHERE {_SHOWN} AND p.created_ms >= $2
  AND ($3::text[] IS NULL OR p.channel_id = ANY($3::text[]))
  AND ($4::text IS NULL OR p.id IN (SELECT question_id FROM question_tags WHERE tag = $4))
  AND ($5::boolean IS NULL OR (p.accepted_answer_id IS NOT NULL) = $5)
  AND ($6::boolean IS NULL
       OR EXISTS (SELECT 1 FROM posts x WHERE x.question_id = p.id AND NOT x.removed) = $6)
ORDER BY p.created_ms DESC, p.id DESC
LIMIT $7"""
WEB_SITEMAP = f"""{SELECT_QUESTION_AND_CHANGE}
WHERE {_SHOWN} AND ($2::text[] IS NULL OR p.channel_id = ANY($2::text[]))
ORDER BY p.created_ms DESC, p.id DESC
LIMIT $3"""
# Each pair of words ($2, $3) becomes `'a' & 'b'`, ORed, each word stemmed in the search
# language as the posts were; quote_literal keeps each word one quoted lexeme whatever it holds
# (storage/web_similar.py says why pairs, and why whole words). The matches come from the
# questions' own index (post_search_questions, for `m.kind = 'Q'`) and are taken first, as they
# are: asked for the workspace too, the planner ANDs the match with every question of the
# workspace (posts_web_newest), read on each search. Equal matches hand over the newest
# first, as bot/similarity.py prefers the newest of equally similar questions.
WEB_SIMILAR = f"""WITH hits AS MATERIALIZED (
    SELECT m.post_id AS id, ts_rank(m.search_vector, query) AS rank
    FROM post_search m,
         to_tsquery((SELECT language FROM search_language WHERE id = 1), array_to_string(
             ARRAY(SELECT quote_literal(l) || ' & ' || quote_literal(r)
                   FROM unnest($2::text[], $3::text[]) AS pair(l, r)), ' | ')) AS query
    WHERE m.search_vector @@ query AND m.kind = 'Q')
SELECT p.number, p.body, p.tags FROM posts p JOIN hits ON hits.id = p.id
WHERE {_SHOWN} AND ($4::text[] IS NULL OR p.channel_id = ANY($4::text[]))
ORDER BY hits.rank DESC, p.id DESC
LIMIT $5"""
HIDE = """
INSERT INTO web_hidden (workspace_id, number) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1"""
SHOW = "DELETE FROM web_hidden WHERE workspace_id = $1 AND number = $2 RETURNING 1"
HIDDEN = "SELECT number FROM web_hidden WHERE workspace_id = $1"
SET_WEB_NAMES = """
INSERT INTO web_names (workspace_id, user_id, shown) VALUES ($1, $2, $3)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET shown = excluded.shown"""
FORGET_WEB_NAMES = "DELETE FROM web_names WHERE workspace_id = $1 AND user_id = $2"
WEB_NAMES = """
SELECT people.user_id, h.headline, w.shown FROM unnest($2::text[]) AS people (user_id)
LEFT JOIN headlines h ON h.workspace_id = $1 AND h.user_id = people.user_id
LEFT JOIN web_names w ON w.workspace_id = $1 AND w.user_id = people.user_id
WHERE h.user_id IS NOT NULL OR w.user_id IS NOT NULL"""


class PostgresWeb:
    """The site's reads go through `pool` (a small one of its own, when given): pages fetched
    by a crawler then wait for each other, never ahead of the votes on the main pool."""

    def __init__(self, db: Database, pool: Any = None) -> None:
        self._db = db
        self._pool = db.pool if pool is None else pool

    async def _fetch(self, query: str, *args: Any) -> list[Row]:
        async with self._db.guard():
            rows: list[Row] = await source(self._pool).fetch(query, *args)
            return rows

    @asynccontextmanager
    async def web_reads(self) -> AsyncIterator[None]:
        async with self._db.guard(), holding(self._pool):  # a refused acquire: unavailable
            yield

    async def web_question(self, workspace: WorkspaceRef, number: int) -> Question | None:
        ws = await self._db.known_workspace(workspace)
        rows = await self._fetch(WEB_QUESTION, ws, number)
        return question_from_row(rows[0], workspace) if rows else None

    async def web_thread(
        self, workspace: WorkspaceRef, number: int, *, answers: int, similar: int
    ) -> WebThread | None:
        ws = await self._db.known_workspace(workspace)
        rows = await self._fetch(WEB_THREAD, ws, number, answers, similar)
        return web_thread_from_rows(rows, workspace)

    async def web_questions(
        self, workspace: WorkspaceRef, *, where: WebFilter, since: datetime | None, limit: int
    ) -> Sequence[Question]:
        ws = await self._db.known_workspace(workspace)
        channels = None if where.channels is None else sorted(where.channels)
        rows = await self._fetch(
            WEB_QUESTIONS, ws, 0 if since is None else to_ms(since), channels,
            where.tag, where.solved, where.answered, limit,
        )  # fmt: skip
        return [question_from_row(row, workspace) for row in rows]

    async def web_sitemap(
        self, workspace: WorkspaceRef, *, channels: Collection[str] | None, limit: int
    ) -> Sequence[tuple[Question, datetime]]:
        ws = await self._db.known_workspace(workspace)
        shown = None if channels is None else sorted(channels)
        rows = await self._fetch(WEB_SITEMAP, ws, shown, limit)
        return [(question_from_row(row, workspace), from_ms(row["changed_ms"])) for row in rows]

    async def web_similar(
        self,
        workspace: WorkspaceRef,
        words: Sequence[str],
        *,
        channels: Collection[str] | None,
        limit: int,
    ) -> Sequence[SimilarCandidate]:
        pairs = word_pairs(words)
        if not pairs:
            return []
        ws = await self._db.known_workspace(workspace)
        left, right = [list(side) for side in zip(*pairs, strict=True)]
        shown = None if channels is None else sorted(channels)
        rows = await self._fetch(WEB_SIMILAR, ws, left, right, shown, limit)
        return [similar_candidate_from_row(row) for row in rows]

    async def set_web_hidden(self, workspace: WorkspaceRef, number: int, hidden: bool) -> bool:
        if hidden:
            ws = await self._db.workspace_id(workspace)
            return await self._db.fetchrow(HIDE, ws, number) is not None
        ws = await self._db.known_workspace(workspace)
        return await self._db.fetchrow(SHOW, ws, number) is not None

    async def web_hidden(self, workspace: WorkspaceRef) -> Collection[int]:
        ws = await self._db.known_workspace(workspace)
        return frozenset(int(row["number"]) for row in await self._fetch(HIDDEN, ws))

    async def set_web_names(self, workspace: WorkspaceRef, user_id: str, shown: bool) -> None:
        ws = await self._db.workspace_id(workspace)
        await self._db.fetch(SET_WEB_NAMES, ws, user_id, shown)

    async def web_names(self, workspace: WorkspaceRef, user_ids: Collection[str]) -> WebNames:
        if not user_ids:
            return WebNames({}, {})
        ws = await self._db.known_workspace(workspace)
        return web_names_from_rows(await self._fetch(WEB_NAMES, ws, sorted(set(user_ids))))
