"""The SQLite store's catch-up reads, its vote watermark and its vote-snapshot write (for
bot/reconcile.py)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from bot.domain import Answer, PostId, PostKind, Question, WorkspaceRef
from bot.ports import VoteRow, VoteTally
from storage.rows import answer_from_row, question_from_row, to_ms
from storage.sqlite.session import Session
from storage.sqlite.sql import CLOCK, SELECT_POST, VOTE_WATERMARK
from storage.sqlite.votes import live_post_id, retally

__all__ = ["SqliteReconcile"]

RECENT_QUESTIONS = f"""{SELECT_POST}
WHERE p.workspace_id = :ws AND p.kind = 'Q' AND p.removed = 0 AND p.created_ms >= :since
  AND p.message_id IS NOT NULL
ORDER BY p.created_ms DESC, p.id DESC
LIMIT :limit"""

ANSWERS_TO = f"""{SELECT_POST}
WHERE p.workspace_id = :ws AND p.kind = 'A' AND p.removed = 0
  AND p.question_id = (SELECT id FROM posts WHERE workspace_id = :ws AND kind = 'Q'
                       AND number = :question)
ORDER BY p.number ASC"""

# The snapshot arrives as one JSON array of [voter, emoji, weight], the emoji keys it covers as
# another: one statement drops the rows it lacks, one adds the rows it has (existing rows keep
# their time). The newer observation wins: a row written at or after the watermark :since stays,
# a vote removed live at or after it is not added back, and nobody who opted out is added.
_SNAPSHOT = (
    "SELECT json_extract(value, '$[0]') AS voter, json_extract(value, '$[1]') AS emoji,"
    " json_extract(value, '$[2]') AS weight FROM json_each(:snapshot)"
)
_KEYS = "SELECT value FROM json_each(:emoji)"
DROP_VOTES_NOT_IN = f"""
DELETE FROM votes WHERE post_id = :post AND seq < :since AND emoji IN ({_KEYS})
  AND (voter_id, emoji) NOT IN (SELECT voter, emoji FROM ({_SNAPSHOT}))"""
ADD_VOTES_IN = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
SELECT :post, s.voter, s.emoji, s.weight, :at, {CLOCK} FROM ({_SNAPSHOT}) AS s
WHERE s.emoji IN ({_KEYS})
  AND NOT EXISTS (SELECT 1 FROM vote_removals r WHERE r.post_id = :post AND r.voter_id = s.voter
                  AND r.emoji = s.emoji AND r.seq >= :since)
  AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = :ws AND o.user_id = s.voter)
ON CONFLICT DO NOTHING"""

# How many rows each live post of the list (a JSON array of [kind, number]) holds, per emoji.
# CROSS JOIN keeps the list first: one probe of the (workspace, kind, number) key per post.
HELD_VOTES = """
SELECT p.kind AS kind, p.number AS number, v.emoji AS emoji, COUNT(*) AS held
FROM (SELECT DISTINCT json_extract(value, '$[0]') AS kind, json_extract(value, '$[1]') AS number
      FROM json_each(:posts)) AS k
CROSS JOIN posts p ON p.workspace_id = :ws AND p.kind = k.kind AND p.number = k.number
    AND p.removed = 0
JOIN votes v ON v.post_id = p.id
GROUP BY p.id, v.emoji"""


class SqliteReconcile:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        params = {"since": to_ms(since), "limit": limit}
        rows = await self._session.read(workspace, RECENT_QUESTIONS, params)
        return [question_from_row(row, workspace) for row in rows]

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        rows = await self._session.read(workspace, ANSWERS_TO, {"question": question})
        return [answer_from_row(row, workspace) for row in rows]

    async def vote_watermark(self) -> int:
        async with self._session.transaction() as db:
            rows = list(await db.execute_fetchall(VOTE_WATERMARK))
            return int(rows[0][0])

    async def held_votes(
        self, workspace: WorkspaceRef, post_ids: Sequence[PostId]
    ) -> Mapping[PostId, Mapping[str, int]]:
        posts = json.dumps([[p.kind.value, p.number] for p in post_ids])
        held: dict[PostId, dict[str, int]] = {}
        for row in await self._session.read(workspace, HELD_VOTES, {"posts": posts}):
            post_id = PostId(PostKind(row["kind"]), row["number"])
            held.setdefault(post_id, {})[row["emoji"]] = row["held"]
        return held

    async def replace_votes(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        votes: Sequence[VoteRow],
        *,
        emoji: Collection[str],
        since: int,
        at: datetime,
    ) -> VoteTally:
        snapshot = json.dumps([[v.voter_id, v.emoji, v.weight] for v in votes])
        keys = json.dumps(list(emoji))
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            post = await live_post_id(db, ws, post_id)
            if post is None:
                return VoteTally(0, 0, changed=False)
            params = {"ws": ws, "post": post, "snapshot": snapshot, "emoji": keys,
                      "since": since, "at": to_ms(at)}  # fmt: skip
            dropped = await db.execute(DROP_VOTES_NOT_IN, params)
            added = await db.execute(ADD_VOTES_IN, params)
            changed = dropped.rowcount > 0 or added.rowcount > 0
            return await retally(db, post, changed=changed)
