"""The PostgreSQL store's surfacing reads, and forget-me and its opt-out (bot/surfacing.py asks).

The same intentions and column names as storage/sqlite/surfacing.py, in PostgreSQL's dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Question, WorkspaceRef
from bot.replies import FORGOTTEN_ID, Leader, PersonalData
from storage.postgres.database import Database, rowcount
from storage.postgres.limits import forget_limits
from storage.postgres.people import FORGET_HEADLINE
from storage.postgres.sql import LOCK_POSTS, RECOUNT, SELECT_POST, SELECT_POST_AND_KIND
from storage.postgres.web import FORGET_WEB_NAMES
from storage.rows import answer_from_row, question_from_row, to_ms, vote_record

__all__ = ["PostgresSurfacing"]

LEADERBOARD = f"""
WITH per_voter AS (
    SELECT v.post_id, SUM(v.weight) AS net
    FROM votes v JOIN posts a ON a.id = v.post_id
    WHERE a.workspace_id = $1 AND a.kind = 'A' AND NOT a.removed
    GROUP BY v.post_id, v.voter_id
    HAVING MAX(v.created_ms) >= $2
), per_answer AS (
    SELECT post_id, COUNT(*) FILTER (WHERE net > 0) AS ups, COUNT(*) FILTER (WHERE net < 0) AS downs
    FROM per_voter GROUP BY post_id
)
SELECT a.author_id, MAX(a.author_name) AS author_name,
       COALESCE(SUM(pa.ups), 0)::integer AS ups, COALESCE(SUM(pa.downs), 0)::integer AS downs,
       COUNT(*) FILTER (WHERE q.accepted_answer_id = a.id AND a.created_ms >= $2)::integer
           AS accepted
FROM posts a JOIN posts q ON q.id = a.question_id
LEFT JOIN per_answer pa ON pa.post_id = a.id
WHERE a.workspace_id = $1 AND a.kind = 'A' AND NOT a.removed AND NOT q.removed
  AND a.author_id != '{FORGOTTEN_ID}'
  AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = $1 AND o.user_id = a.author_id)
GROUP BY a.author_id
HAVING COALESCE(SUM(pa.ups), 0) > 0 OR COALESCE(SUM(pa.downs), 0) > 0
    OR COUNT(*) FILTER (WHERE q.accepted_answer_id = a.id AND a.created_ms >= $2) > 0
ORDER BY COALESCE(SUM(pa.ups), 0) - COALESCE(SUM(pa.downs), 0) DESC, 5 DESC, 2 ASC
LIMIT $3"""

_VISIBLE_FROM = "(NOT p.channel_private OR p.channel_id = $3)"

UNANSWERED = f"""{SELECT_POST}
WHERE p.workspace_id = $1 AND p.kind = 'Q' AND NOT p.removed AND p.created_ms >= $2
  AND {_VISIBLE_FROM} AND (NOT $5 OR p.channel_id = $3)
  AND NOT EXISTS (SELECT 1 FROM posts x WHERE x.question_id = p.id AND NOT x.removed)
ORDER BY p.created_ms ASC, p.id ASC
LIMIT $4"""

# Words become ORed prefix lexemes, stemmed in the search language ('negoti':* | 'salari':*);
# quote_literal keeps each one a single quoted lexeme whatever it holds.
SIMILAR_CANDIDATES = f"""{SELECT_POST},
     to_tsquery((SELECT language FROM search_language WHERE id = 1), array_to_string(
         ARRAY(SELECT quote_literal(word) || ':*' FROM unnest($2::text[]) AS word), ' | '))
         AS query,
     post_search s
WHERE s.post_id = p.id AND s.search_vector @@ query AND s.kind = 'Q'
  AND p.workspace_id = $1 AND p.kind = 'Q' AND NOT p.removed
  AND {_VISIBLE_FROM}
ORDER BY ts_rank(s.search_vector, query) DESC, p.id ASC
LIMIT $4"""

KNOWN_TAGS = """
SELECT t.tag FROM question_tags t JOIN posts q ON q.id = t.question_id
WHERE q.workspace_id = $1 AND NOT q.removed AND starts_with(t.tag, $2)
GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag ASC LIMIT $3"""

PERSON_POSTS = f"""{SELECT_POST_AND_KIND}
WHERE p.workspace_id = $1 AND p.author_id = $2 ORDER BY p.kind DESC, p.number ASC"""
PERSON_VOTES = """
SELECT p.kind, p.number, v.emoji, v.weight, v.created_ms
FROM votes v JOIN posts p ON p.id = v.post_id
WHERE p.workspace_id = $1 AND v.voter_id = $2 ORDER BY v.created_ms ASC, p.id ASC"""

FORGET_VOTES = """
DELETE FROM votes
WHERE voter_id = $2 AND post_id IN (SELECT id FROM posts WHERE workspace_id = $1)"""
FORGET_POSTS = """
UPDATE posts SET author_id = $3, author_name = $4, anonymous = true
WHERE workspace_id = $1 AND author_id = $2"""
# The opt-out that keeps a forgotten person's votes out; the time is the database's clock.
OPT_OUT = """
INSERT INTO opt_outs (workspace_id, user_id, since_ms)
VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
ON CONFLICT DO NOTHING"""
REJOIN = "DELETE FROM opt_outs WHERE workspace_id = $1 AND user_id = $2 RETURNING 1"
OPTED_OUT = "SELECT 1 FROM opt_outs WHERE workspace_id = $1 AND user_id = $2"


class PostgresSurfacing:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def leaderboard(
        self, workspace: WorkspaceRef, *, since: datetime | None, limit: int
    ) -> Sequence[Leader]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(LEADERBOARD, ws, _ms(since), limit)
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
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(UNANSWERED, ws, _ms(since), channel_id, limit, only_channel)
        return [question_from_row(row, workspace) for row in rows]

    async def similar_candidates(
        self, workspace: WorkspaceRef, words: Sequence[str], *, channel_id: str, limit: int
    ) -> Sequence[Question]:
        if not words:
            return []
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(SIMILAR_CANDIDATES, ws, list(words), channel_id, limit)
        return [question_from_row(row, workspace) for row in rows]

    async def known_tags(
        self, workspace: WorkspaceRef, *, prefix: str, limit: int
    ) -> Sequence[str]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(KNOWN_TAGS, ws, prefix.lower(), limit)
        return [str(row["tag"]) for row in rows]

    async def personal_data(self, workspace: WorkspaceRef, user_id: str) -> PersonalData:
        ws = await self._db.known_workspace(workspace)
        posts = await self._db.fetch(PERSON_POSTS, ws, user_id)
        votes = await self._db.fetch(PERSON_VOTES, ws, user_id)
        return PersonalData(
            questions=[question_from_row(r, workspace) for r in posts if r["kind"] == "Q"],
            answers=[answer_from_row(r, workspace) for r in posts if r["kind"] == "A"],
            votes=[vote_record(v) for v in votes],
        )

    async def forget_person(
        self, workspace: WorkspaceRef, user_id: str, *, replacement_id: str, replacement_name: str
    ) -> tuple[int, int]:
        ws = await self._db.workspace_id(workspace)

        async def forget(conn: Any) -> tuple[int, int]:
            await forget_limits(conn, ws, user_id)  # under the person's lock, taken first
            # Then lock the workspace's posts (as recount does), so a racing vote on one of
            # them waits and its recount sees the votes already gone.
            await conn.execute(LOCK_POSTS, ws)
            await conn.execute(OPT_OUT, ws, user_id)
            votes = rowcount(await conn.execute(FORGET_VOTES, ws, user_id))
            args = (ws, user_id, replacement_id, replacement_name)
            posts = rowcount(await conn.execute(FORGET_POSTS, *args))
            await conn.execute(FORGET_HEADLINE, ws, user_id)
            await conn.execute(FORGET_WEB_NAMES, ws, user_id)
            await conn.execute(RECOUNT, ws)
            return votes, posts

        return await self._db.write(forget)

    async def rejoin(self, workspace: WorkspaceRef, user_id: str) -> bool:
        ws = await self._db.known_workspace(workspace)
        return await self._db.fetchrow(REJOIN, ws, user_id) is not None

    async def opted_out(self, workspace: WorkspaceRef, user_id: str) -> bool:
        ws = await self._db.known_workspace(workspace)
        return await self._db.fetchrow(OPTED_OUT, ws, user_id) is not None


def _ms(since: datetime | None) -> int:
    return 0 if since is None else to_ms(since)
