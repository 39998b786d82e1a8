"""The SQLite store's surfacing reads, and forget-me and its opt-out (bot/surfacing.py asks)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Question, WorkspaceRef
from bot.replies import FORGOTTEN_ID, Leader, PersonalData
from storage.rows import answer_from_row, question_from_row, to_ms, vote_record
from storage.sqlite.people import FORGET_HEADLINE
from storage.sqlite.session import Session
from storage.sqlite.sql import RECOUNT, SELECT_POST, SELECT_POST_AND_KIND
from storage.sqlite.web import FORGET_WEB_NAMES
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter

__all__ = ["SqliteSurfacing"]

# A person's vote on an answer is the sign of their reactions' weights; it counts in a window
# when their latest reaction on that answer falls in it.
LEADERBOARD = f"""
WITH per_voter AS (
    SELECT v.post_id, SUM(v.weight) AS net
    FROM votes v JOIN posts a ON a.id = v.post_id
    WHERE a.workspace_id = :ws AND a.kind = 'A' AND a.removed = 0
    GROUP BY v.post_id, v.voter_id
    HAVING MAX(v.created_ms) >= :since
), per_answer AS (
    SELECT post_id, SUM(net > 0) AS u, SUM(net < 0) AS d FROM per_voter GROUP BY post_id
)
SELECT a.author_id, MAX(a.author_name) AS author_name,
       COALESCE(SUM(pa.u), 0) AS ups, COALESCE(SUM(pa.d), 0) AS downs,
       SUM(CASE WHEN q.accepted_answer_id = a.id AND a.created_ms >= :since THEN 1 ELSE 0 END)
           AS accepted
FROM posts a JOIN posts q ON q.id = a.question_id
LEFT JOIN per_answer pa ON pa.post_id = a.id
WHERE a.workspace_id = :ws AND a.kind = 'A' AND a.removed = 0 AND q.removed = 0
  AND a.author_id != '{FORGOTTEN_ID}'
  AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = :ws AND o.user_id = a.author_id)
GROUP BY a.author_id
HAVING COALESCE(SUM(pa.u), 0) + COALESCE(SUM(pa.d), 0) + accepted > 0
ORDER BY COALESCE(SUM(pa.u), 0) - COALESCE(SUM(pa.d), 0) DESC, accepted DESC, 2 ASC
LIMIT :limit"""

_VISIBLE_FROM = "(p.channel_private = 0 OR p.channel_id = :channel)"

UNANSWERED = f"""{SELECT_POST}
WHERE p.workspace_id = :ws AND p.kind = 'Q' AND p.removed = 0 AND p.created_ms >= :since
  AND {_VISIBLE_FROM} AND (:only_channel = 0 OR p.channel_id = :channel)
  AND NOT EXISTS (SELECT 1 FROM posts x WHERE x.question_id = p.id AND x.removed = 0)
ORDER BY p.created_ms ASC, p.id ASC
LIMIT :limit"""

SIMILAR_CANDIDATES = f"""{SELECT_POST}
JOIN questions_fts f ON f.rowid = p.id
WHERE questions_fts MATCH :match AND p.workspace_id = :ws AND p.kind = 'Q' AND p.removed = 0
  AND {_VISIBLE_FROM}
ORDER BY f.rank
LIMIT :limit"""

KNOWN_TAGS = """
SELECT t.tag FROM question_tags t JOIN posts q ON q.id = t.question_id
WHERE q.workspace_id = :ws AND q.removed = 0 AND substr(t.tag, 1, length(:prefix)) = :prefix
GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag ASC LIMIT :limit"""

PERSON_POSTS = f"""{SELECT_POST_AND_KIND}
WHERE p.workspace_id = :ws AND p.author_id = :user ORDER BY p.kind DESC, p.number ASC"""
PERSON_VOTES = """
SELECT p.kind, p.number, v.emoji, v.weight, v.created_ms
FROM votes v JOIN posts p ON p.id = v.post_id
WHERE p.workspace_id = :ws AND v.voter_id = :user ORDER BY v.created_ms ASC, p.id ASC"""

FORGET_VOTES = """
DELETE FROM votes
WHERE voter_id = :user AND post_id IN (SELECT id FROM posts WHERE workspace_id = :ws)"""
FORGET_POSTS = """
UPDATE posts SET author_id = :new_id, author_name = :new_name, anonymous = 1
WHERE workspace_id = :ws AND author_id = :user"""
# The opt-out that keeps a forgotten person's votes out; the time is the database's clock.
OPT_OUT = """
INSERT INTO opt_outs (workspace_id, user_id, since_ms)
VALUES (:ws, :user, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
ON CONFLICT DO NOTHING"""
REJOIN = "DELETE FROM opt_outs WHERE workspace_id = :ws AND user_id = :user"
OPTED_OUT = "SELECT 1 FROM opt_outs WHERE workspace_id = :ws AND user_id = :user"


class SqliteSurfacing:
    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def leaderboard(
        self, workspace: WorkspaceRef, *, since: datetime | None, limit: int
    ) -> Sequence[Leader]:
        params = {"since": _ms(since), "limit": limit}
        rows = await self._session.read(workspace, LEADERBOARD, params)
        return [
            Leader(r["author_id"], r["author_name"], r["ups"], r["downs"], r["accepted"])
            for r in rows
        ]

    async def unanswered(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        channel_id: str,
        limit: int,
        only_channel: bool = False,
    ) -> Sequence[Question]:
        params = {"since": _ms(since), "channel": channel_id, "limit": limit,
                  "only_channel": only_channel}  # fmt: skip
        rows = await self._session.read(workspace, UNANSWERED, params)
        return [question_from_row(row, workspace) for row in rows]

    async def similar_candidates(
        self, workspace: WorkspaceRef, words: Sequence[str], *, channel_id: str, limit: int
    ) -> Sequence[Question]:
        if not words:
            return []
        # Each word is a quoted FTS5 prefix term (its stem, as questions_fts stems), ORed: plain
        # words, never query syntax.
        match = " OR ".join('"' + word.replace('"', '""') + '"*' for word in words)
        params = {"match": match, "channel": channel_id, "limit": limit}
        rows = await self._session.read(workspace, SIMILAR_CANDIDATES, params)
        return [question_from_row(row, workspace) for row in rows]

    async def known_tags(
        self, workspace: WorkspaceRef, *, prefix: str, limit: int
    ) -> Sequence[str]:
        params = {"prefix": prefix.lower(), "limit": limit}
        rows = await self._session.read(workspace, KNOWN_TAGS, params)
        return [str(row["tag"]) for row in rows]

    async def personal_data(self, workspace: WorkspaceRef, user_id: str) -> PersonalData:
        posts = await self._session.read(workspace, PERSON_POSTS, {"user": user_id})
        votes = await self._session.read(workspace, PERSON_VOTES, {"user": user_id})
        return PersonalData(
            questions=[question_from_row(r, workspace) for r in posts if r["kind"] == "Q"],
            answers=[answer_from_row(r, workspace) for r in posts if r["kind"] == "A"],
            votes=[vote_record(v) for v in votes],
        )

    async def forget_person(
        self, workspace: WorkspaceRef, user_id: str, *, replacement_id: str, replacement_name: str
    ) -> tuple[int, int]:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            await db.execute(OPT_OUT, {"ws": ws, "user": user_id})
            votes = await db.execute(FORGET_VOTES, {"ws": ws, "user": user_id})
            params = {"ws": ws, "user": user_id, "new_id": replacement_id,
                      "new_name": replacement_name}  # fmt: skip
            posts = await db.execute(FORGET_POSTS, params)
            await db.execute(FORGET_HEADLINE, {"ws": ws, "user": user_id})
            await db.execute(FORGET_WEB_NAMES, {"ws": ws, "user": user_id})
            # Counts derive from vote rows: rebuild the ones the deleted votes were in.
            await db.execute(RECOUNT, {"ws": ws})
            return votes.rowcount, posts.rowcount

    async def rejoin(self, workspace: WorkspaceRef, user_id: str) -> bool:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            cursor = await db.execute(REJOIN, {"ws": ws, "user": user_id})
            return cursor.rowcount > 0

    async def opted_out(self, workspace: WorkspaceRef, user_id: str) -> bool:
        """Read on the writer's connection on the loop, as a vote's post is: every vote that
        changes nothing asks this (a redelivery, a removal of no vote). A hop to the session's
        thread would bring its caller back turns later, out of step with the other voters, and
        the writer's batches would split: in a burst with 4% redeliveries, from about 240 votes
        a commit to 60-120 on average (docs/performance.md, *Voters kept in step*)."""

        def find(db: sqlite3.Connection) -> bool:
            ws = self._workspaces.id(db, workspace, create=False)
            return db.execute(OPTED_OUT, {"ws": ws, "user": user_id}).fetchone() is not None

        return await self._writer.read(find)


def _ms(since: datetime | None) -> int:
    return 0 if since is None else to_ms(since)
