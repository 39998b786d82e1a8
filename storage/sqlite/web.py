"""The SQLite store's reads and choices for the web view (adapters/web asks): published
questions, those like a question, questions hidden from the site, and each person's choice of
being named there.

A question's page, the page a crawler reads most, is read on the writer's connection on the
event loop's thread when it takes at most `PAGE_ON_LOOP_S` there, as /top is
(storage/sqlite/ranking.py), and even while votes wait for the writer: read on the session's
thread, its hop there and back cost the loop more than the read, and a crawler at 100 pages a
second took 18 to 20% of the quick data set's vote ingest that way, 13 to 14% on the loop
(docs/performance.md, *The web view*). A page that reads longer is stopped at that limit and
read on the session's thread. The other pages' reads stay there: they are rarer, and some are
long (the sitemap, a search).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from bot.domain import Question, WorkspaceRef
from bot.ports import SimilarCandidate, WebFilter, WebNames, WebThread
from storage.rows import (
    RANKING_ORDER,
    WEB_THREAD_ANSWER,
    WEB_THREAD_QUESTION,
    WEB_THREAD_SIMILAR,
    from_ms,
    post_select,
    question_from_row,
    similar_candidate_from_row,
    to_ms,
    web_names_from_rows,
    web_thread_from_rows,
)
from storage.sqlite.named_rows import named_rows
from storage.sqlite.session import Session
from storage.sqlite.sql import (
    ACCEPTED_NUMBER,
    ANSWER_COUNT,
    SELECT_POST,
    SELECT_QUESTION_AND_CHANGE,
)
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter
from storage.web_similar import word_pairs

__all__ = ["FORGET_WEB_NAMES", "PAGE_ON_LOOP_S", "SqliteWeb"]

PAGE_ON_LOOP_S = 0.003  # the longest a question's page may hold the event loop

_SHOWN_AS = """{p}.workspace_id = :ws AND {p}.kind = 'Q' AND {p}.removed = 0
  AND {p}.channel_private = 0
  AND NOT EXISTS (SELECT 1 FROM web_hidden h
                  WHERE h.workspace_id = :ws AND h.number = {p}.number)"""
_SHOWN = _SHOWN_AS.format(p="p")
_PAGE_POST = f"{post_select('p', '')}, p.kind, p.accepted_answer_id"
WEB_QUESTION = f"{SELECT_POST} WHERE {_SHOWN} AND p.number = :number"
# A question's page (storage/rows.py, web_thread_from_rows): the question, its first :answers
# live answers in /top's order and the first :similar shown questions of its kept list, each row
# with its author's names (none for an anonymous asker). Each post is read once, where it is
# found, and only the questions' rows count their answers. A compound SELECT's members cannot
# be ordered or limited in SQLite, so each sits in a FROM. The answers and the list take the
# question from `page` by subquery: joined to it, SQLite planned with no estimate of its one
# row and took 40 ms a page at the quick size, against 0.2 ms.
WEB_THREAD = f"""WITH page AS (
    SELECT * FROM posts q WHERE {_SHOWN_AS.format(p="q")} AND q.number = :number),
parts AS (
    SELECT {WEB_THREAD_QUESTION} AS part, 0 AS place, {_PAGE_POST},
           NULL AS question_number, c.name AS channel_name, l.made_for AS similar_made_for
    FROM page p
    LEFT JOIN channel_names c ON c.workspace_id = :ws AND c.channel_id = p.channel_id
    LEFT JOIN similar_lists l ON l.workspace_id = :ws AND l.number = p.number
  UNION ALL
    SELECT * FROM (
        SELECT {WEB_THREAD_ANSWER}, row_number() OVER (ORDER BY {RANKING_ORDER.format(p="p")}),
               {_PAGE_POST}, :number, NULL, NULL
        FROM posts p
        WHERE p.question_id = (SELECT id FROM page) AND p.kind = 'A' AND p.removed = 0
        ORDER BY {RANKING_ORDER.format(p="p")}
        LIMIT :answers)
  UNION ALL
    SELECT * FROM (
        SELECT {WEB_THREAD_SIMILAR}, row_number() OVER (ORDER BY e.similarity DESC,
               e.similar_number DESC), {_PAGE_POST}, NULL, NULL, NULL
        FROM similar_entries e CROSS JOIN posts p
        WHERE EXISTS (SELECT 1 FROM page) AND e.workspace_id = :ws AND e.number = :number
          AND p.workspace_id = :ws AND p.kind = 'Q' AND p.number = e.similar_number AND {_SHOWN}
        ORDER BY e.similarity DESC, e.similar_number DESC
        LIMIT :similar))
SELECT t.*, t.author_id AS user_id, h.headline, w.shown,
       {ACCEPTED_NUMBER.format(q="t")} AS accepted_number,
       CASE WHEN t.kind = 'Q' THEN {ANSWER_COUNT.format(q="t")} END AS answer_count
FROM parts t
LEFT JOIN headlines h ON h.workspace_id = :ws AND h.user_id = t.author_id AND t.anonymous = 0
LEFT JOIN web_names w ON w.workspace_id = :ws AND w.user_id = t.author_id AND t.anonymous = 0
ORDER BY t.part, t.place"""
WEB_QUESTIONS = f"""{SELECT_POST}
WHERE {_SHOWN} AND p.created_ms >= :since
  AND (:all_channels = 1 OR p.channel_id IN (SELECT value FROM json_each(:channels)))
  AND (:tag IS NULL OR p.id IN (SELECT question_id FROM question_tags WHERE tag = :tag))
  AND (:solved IS NULL OR (p.accepted_answer_id IS NOT NULL) = :solved)
  AND (:answered IS NULL
       OR EXISTS (SELECT 1 FROM posts x WHERE x.question_id = p.id AND x.removed = 0) = :answered)
ORDER BY p.created_ms DESC, p.id DESC
LIMIT :limit"""
WEB_SITEMAP = f"""{SELECT_QUESTION_AND_CHANGE}
WHERE {_SHOWN}
  AND (:all_channels = 1 OR p.channel_id IN (SELECT value FROM json_each(:channels)))
ORDER BY p.created_ms DESC, p.id DESC
LIMIT :limit"""
WEB_SIMILAR = f"""SELECT p.number, p.body, p.tags FROM posts p
JOIN questions_fts f ON f.rowid = p.id
WHERE questions_fts MATCH :match AND {_SHOWN}
  AND (:all_channels = 1 OR p.channel_id IN (SELECT value FROM json_each(:channels)))
ORDER BY f.rank, p.id DESC  -- the newest of equal matches, as bot/similarity.py prefers
LIMIT :limit"""
HIDE = "INSERT INTO web_hidden (workspace_id, number) VALUES (:ws, :number) ON CONFLICT DO NOTHING"
SHOW = "DELETE FROM web_hidden WHERE workspace_id = :ws AND number = :number"
HIDDEN = "SELECT number FROM web_hidden WHERE workspace_id = :ws"
SET_WEB_NAMES = """
INSERT INTO web_names (workspace_id, user_id, shown) VALUES (:ws, :user, :shown)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET shown = excluded.shown"""
FORGET_WEB_NAMES = "DELETE FROM web_names WHERE workspace_id = :ws AND user_id = :user"
WEB_NAMES = """
SELECT people.value AS user_id, h.headline, w.shown FROM json_each(:users) AS people
LEFT JOIN headlines h ON h.workspace_id = :ws AND h.user_id = people.value
LEFT JOIN web_names w ON w.workspace_id = :ws AND w.user_id = people.value
WHERE h.user_id IS NOT NULL OR w.user_id IS NOT NULL"""


class SqliteWeb:
    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def web_question(self, workspace: WorkspaceRef, number: int) -> Question | None:
        rows = await self._session.read(workspace, WEB_QUESTION, {"number": number})
        return question_from_row(rows[0], workspace) if rows else None

    async def web_thread(
        self, workspace: WorkspaceRef, number: int, *, answers: int, similar: int
    ) -> WebThread | None:
        params = {"number": number, "answers": answers, "similar": similar}

        def on_loop(db: sqlite3.Connection) -> list[Any]:
            ws = self._workspaces.id(db, workspace, create=False)
            return named_rows(db, WEB_THREAD, {**params, "ws": ws})

        rows = await self._writer.read_within(on_loop, PAGE_ON_LOOP_S)
        if rows is None:
            rows = await self._session.read(workspace, WEB_THREAD, params)
        return web_thread_from_rows(rows, workspace)

    async def web_questions(
        self, workspace: WorkspaceRef, *, where: WebFilter, since: datetime | None, limit: int
    ) -> Sequence[Question]:
        params = {
            "since": 0 if since is None else to_ms(since),
            "all_channels": where.channels is None,
            "channels": json.dumps(sorted(where.channels or ())),
            "tag": where.tag, "solved": where.solved, "answered": where.answered,
            "limit": limit,
        }  # fmt: skip
        rows = await self._session.read(workspace, WEB_QUESTIONS, params)
        return [question_from_row(row, workspace) for row in rows]

    async def web_sitemap(
        self, workspace: WorkspaceRef, *, channels: Collection[str] | None, limit: int
    ) -> Sequence[tuple[Question, datetime]]:
        params = {
            "all_channels": channels is None,
            "channels": json.dumps(sorted(channels or ())),
            "limit": limit,
        }
        rows = await self._session.read(workspace, WEB_SITEMAP, params)
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
        # Each word a quoted FTS5 term, never query syntax, stemmed as questions_fts stems
        # questions; pairs ANDed, then ORed (storage/web_similar.py says why pairs, and why whole
        # words).
        match = " OR ".join(f"({_term(left)} AND {_term(right)})" for left, right in pairs)
        params = {
            "match": match,
            "all_channels": channels is None,
            "channels": json.dumps(sorted(channels or ())),
            "limit": limit,
        }
        rows = await self._session.read(workspace, WEB_SIMILAR, params)
        return [similar_candidate_from_row(row) for row in rows]

    async def set_web_hidden(self, workspace: WorkspaceRef, number: int, hidden: bool) -> bool:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            cursor = await db.execute(HIDE if hidden else SHOW, {"ws": ws, "number": number})
            return cursor.rowcount > 0

    async def web_hidden(self, workspace: WorkspaceRef) -> Collection[int]:
        rows = await self._session.read(workspace, HIDDEN, {})
        return frozenset(int(row["number"]) for row in rows)

    async def set_web_names(self, workspace: WorkspaceRef, user_id: str, shown: bool) -> None:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            await db.execute(SET_WEB_NAMES, {"ws": ws, "user": user_id, "shown": shown})

    async def web_names(self, workspace: WorkspaceRef, user_ids: Collection[str]) -> WebNames:
        if not user_ids:
            return WebNames({}, {})
        users = json.dumps(sorted(set(user_ids)))
        return web_names_from_rows(await self._session.read(workspace, WEB_NAMES, {"users": users}))


def _term(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'
