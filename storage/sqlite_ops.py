"""The hot path's work as ops for the SQLite writer thread: votes, answers and the lookups a
reaction needs. Plain `sqlite3` calls: each runs inside the writer's batch transaction.

A vote keeps its post's counts exact without rereading every vote on the post (a hot answer has
thousands): the changed voter's net weight on the post before and after the write decides whether
ups or downs move, in the same transaction as the vote row. `recount` rebuilds from all rows.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.domain import Answer, MessageRef, Post, PostId, Question, WorkspaceRef
from bot.errors import NotFound
from bot.ports import VoteTally
from storage import sqlite_sql as sql
from storage.rows import answer_from_row, post_from_row, question_from_row

__all__ = ["Workspaces", "add_answer", "get_post", "vote"]

KNOWN_WORKSPACE = sql.SELECT_WORKSPACE

# `:delta` is how the voter's net weight on the post changed (+weight on insert, -weight on
# delete); their net before was `n - :delta`. A person counts once, by the sign of their net.
APPLY_VOTE_DELTA = """
UPDATE posts SET ups = ups + d.up, downs = downs + d.down,
                 rank_score = wilson(ups + d.up, downs + d.down)
FROM (SELECT (n > 0) - (n - :delta > 0) AS up, (n < 0) - (n - :delta < 0) AS down
      FROM (SELECT COALESCE(SUM(weight), 0) AS n FROM votes
            WHERE post_id = :post AND voter_id = :voter)) AS d
WHERE posts.id = :post
RETURNING ups, downs"""
POST_TALLY = "SELECT ups, downs FROM posts WHERE id = ?"
DELETE_VOTE_RETURNING = f"{sql.DELETE_VOTE} RETURNING weight"


class Workspaces:
    """Workspace ids for the writer thread; dropped whenever an op rolls back (SQLite may hand a
    rolled-back row's id to the next insert)."""

    def __init__(self) -> None:
        self._ids: dict[WorkspaceRef, int] = {}

    def clear(self) -> None:
        self._ids.clear()

    def id(self, db: sqlite3.Connection, workspace: WorkspaceRef, *, create: bool = True) -> int:
        """The workspace's row id; for reads (`create=False`) 0, which no row has, when unseen."""
        cached = self._ids.get(workspace)
        if cached is None:
            key = (workspace.platform, workspace.workspace_id)
            if create:
                db.execute(sql.INSERT_WORKSPACE, key)
            row = db.execute(KNOWN_WORKSPACE, key).fetchone()
            if row is None:
                return 0
            cached = self._ids[workspace] = int(row[0])
        return cached


def _live_post(db: sqlite3.Connection, ws: int, post_id: PostId) -> int | None:
    row = db.execute(sql.LIVE_POST_ID, (ws, post_id.kind.value, post_id.number)).fetchone()
    return None if row is None else int(row[0])


def vote(
    db: sqlite3.Connection, ws: int, post_id: PostId, *, voter: str, emoji: str,
    weight: int | None, at_ms: int = 0,
) -> VoteTally:  # fmt: skip
    """Add (weight given) or remove (weight None) one reaction, and move the post's counts."""
    post = _live_post(db, ws, post_id)
    if post is None:
        return VoteTally(0, 0, changed=False)
    if weight is not None:
        inserted = db.execute(sql.INSERT_VOTE, (post, voter, emoji, weight, at_ms)).rowcount
        delta = weight if inserted else 0
    else:
        removed = _first(db, DELETE_VOTE_RETURNING, (post, voter, emoji))
        delta = 0 if removed is None else -int(removed[0])
    if not delta:
        ups, downs = db.execute(POST_TALLY, (post,)).fetchone()
        return VoteTally(ups, downs, changed=False)
    params = {"post": post, "voter": voter, "delta": delta}
    ups, downs = _first(db, APPLY_VOTE_DELTA, params)
    return VoteTally(ups, downs, changed=True)


def _first(db: sqlite3.Connection, query: str, params: Any) -> Any:
    """The first row; fetchall, so a RETURNING statement has run to completion."""
    rows = db.execute(query, params).fetchall()
    return rows[0] if rows else None


def add_answer(db: sqlite3.Connection, params: dict[str, Any], workspace: WorkspaceRef) -> Answer:
    """Insert an answer; the same platform message again yields the answer it already made."""
    row = _first(db, sql.INSERT_ANSWER, params)
    if row is None:
        row = _first(db, sql.ANSWER_BY_MESSAGE, params)
    if row is None:
        raise NotFound("That question is no longer open for answers.")
    return answer_from_row(row, workspace)


def get_post(
    db: sqlite3.Connection, ws: int, workspace: WorkspaceRef, target: PostId | MessageRef
) -> Post | None:
    if isinstance(target, PostId):
        params: tuple[Any, ...] = (ws, target.kind.value, target.number)
        row = db.execute(sql.POST_BY_NUMBER, params).fetchone()
    else:
        row = db.execute(sql.POST_BY_MESSAGE, (ws, target.channel_id, target.message_id)).fetchone()
    return None if row is None else post_from_row(row, workspace)


def get_question_by_thread(
    db: sqlite3.Connection, ws: int, workspace: WorkspaceRef, thread_key: str
) -> Question | None:
    row = db.execute(sql.POST_BY_THREAD, (ws, thread_key)).fetchone()
    return None if row is None else question_from_row(row, workspace)
