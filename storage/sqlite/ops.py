"""The hot path's work as ops for the SQLite writer (storage/sqlite/writer.py): votes, answers,
claims and the lookups a reaction needs. Plain `sqlite3` calls on the writer's connection, on the
event loop's thread: each write runs inside the writer's batch transaction.

A vote keeps its post's counts exact without rereading every vote on the post (a hot answer has
thousands): the changed voter's net weight on the post before and after the write decides whether
ups or downs move, in the same transaction as the vote row. `recount` rebuilds from all rows.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.domain import Answer, MessageRef, Post, PostId, Question, VoteSubject, WorkspaceRef
from bot.errors import NotFound
from bot.ports import VoteTally
from storage.rows import answer_from_row, post_from_row, question_from_row, vote_subject_from_row
from storage.sqlite.sql import (
    ANSWER_BY_MESSAGE,
    CLAIM,
    CLOCK,
    INSERT_ANSWER,
    LIVE_POST_ID,
    POST_BY_MESSAGE,
    POST_BY_NUMBER,
    POST_BY_THREAD,
    RECORD_REMOVAL,
    SUBJECT_BY_MESSAGE,
    SUBJECT_BY_NUMBER,
)

__all__ = ["add_answer", "claim", "get_post", "get_question_by_thread", "vote", "vote_subject"]

# Plain statements, each one index lookup. They are quicker than finding the live post inside the
# INSERT and moving the counts in one UPDATE ... FROM with RETURNING: SQLite buffers RETURNING rows
# in a temporary table. A vote row carries the vote clock's value (catch-up's order), and is not
# written for a person who opted out in the workspace: nothing changes, as for a duplicate.
INSERT_VOTE = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
SELECT ?1, ?2, ?3, ?4, ?5, {CLOCK}
WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = ?6 AND user_id = ?2)
ON CONFLICT DO NOTHING"""
DELETE_VOTE = "DELETE FROM votes WHERE post_id = ? AND voter_id = ? AND emoji = ? RETURNING weight"
VOTER_NET = "SELECT COALESCE(SUM(weight), 0) FROM votes WHERE post_id = ? AND voter_id = ?"
MOVE_COUNTS = """
UPDATE posts SET ups = ups + ?1, downs = downs + ?2, rank_score = wilson(ups + ?1, downs + ?2)
WHERE id = ?3"""
POST_TALLY = "SELECT ups, downs FROM posts WHERE id = ?"


def vote(
    db: sqlite3.Connection, ws: int, post_id: PostId, *, voter: str, emoji: str,
    weight: int | None, at_ms: int = 0,
) -> VoteTally:  # fmt: skip
    """Add (weight given) or remove (weight None) one reaction, and move the post's counts."""
    live = db.execute(LIVE_POST_ID, (ws, post_id.kind.value, post_id.number)).fetchone()
    if live is None:
        return VoteTally(0, 0, changed=False)
    post = live[0]
    if weight is not None:
        inserted = db.execute(INSERT_VOTE, (post, voter, emoji, weight, at_ms, ws)).rowcount
        delta = weight if inserted else 0
    else:
        removed = _first(db, DELETE_VOTE, (post, voter, emoji))
        delta = 0 if removed is None else -removed[0]
        # Recorded even when no row was there: the reaction may have been added while qabot was
        # not listening, and catch-up must not add it back from an older read of the platform.
        db.execute(RECORD_REMOVAL, (post, voter, emoji))
    net = None
    if delta:
        # The voter's net weight moved from `net - delta` to `net`: one person counts once.
        (net,) = db.execute(VOTER_NET, (post, voter)).fetchone()
        up = (net > 0) - (net - delta > 0)
        down = (net < 0) - (net - delta < 0)
        if up or down:
            db.execute(MOVE_COUNTS, (up, down, post))
    ups, downs = db.execute(POST_TALLY, (post,)).fetchone()
    return VoteTally(ups, downs, changed=bool(delta), voter_net=net)


def _first(db: sqlite3.Connection, query: str, params: Any) -> Any:
    """The first row; fetchall, so a RETURNING statement has run to completion."""
    rows = db.execute(query, params).fetchall()
    return rows[0] if rows else None


def add_answer(db: sqlite3.Connection, params: dict[str, Any], workspace: WorkspaceRef) -> Answer:
    """Insert an answer; the same platform message again yields the answer it already made."""
    row = _first(db, INSERT_ANSWER, params)
    if row is None:
        row = _first(db, ANSWER_BY_MESSAGE, params)
    if row is None:
        raise NotFound("That question is no longer open for answers.")
    return answer_from_row(row, workspace)


def get_post(
    db: sqlite3.Connection, ws: int, workspace: WorkspaceRef, target: PostId | MessageRef
) -> Post | None:
    row = _find(db, ws, target, POST_BY_NUMBER, POST_BY_MESSAGE)
    return None if row is None else post_from_row(row, workspace)


def vote_subject(
    db: sqlite3.Connection, ws: int, workspace: WorkspaceRef, target: PostId | MessageRef
) -> VoteSubject | None:
    row = _find(db, ws, target, SUBJECT_BY_NUMBER, SUBJECT_BY_MESSAGE)
    return None if row is None else vote_subject_from_row(row, workspace)


def _find(
    db: sqlite3.Connection, ws: int, target: PostId | MessageRef, by_number: str, by_message: str
) -> Any:
    """The live post's row by public id or by platform message, with `by_...`'s columns."""
    if isinstance(target, PostId):
        return db.execute(by_number, (ws, target.kind.value, target.number)).fetchone()
    return db.execute(by_message, (ws, target.channel_id, target.message_id)).fetchone()


def get_question_by_thread(
    db: sqlite3.Connection, ws: int, workspace: WorkspaceRef, thread_key: str
) -> Question | None:
    row = db.execute(POST_BY_THREAD, (ws, thread_key)).fetchone()
    return None if row is None else question_from_row(row, workspace)


def claim(db: sqlite3.Connection, ws: int, job: str, period: str, owner: str, at_ms: int) -> bool:
    """Claim a job's period for `owner`: true for the one caller whose row went in."""
    return db.execute(CLAIM, (ws, job, period, owner, at_ms)).rowcount > 0
