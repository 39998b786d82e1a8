"""The SQLite store's import of a community's history (bot/importing.py): threads in batches.

A batch is one op on the writer (storage/sqlite/writer.py), so it commits in one transaction
and takes SQLite's write lock once: the importer keeps batches small enough that a live vote
waiting behind one is not kept long. Each thread first claims its checkpoint row; a thread
whose checkpoint is already there, or whose question message is already a post, writes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from bot.domain import WorkspaceRef
from bot.ports import ImportedPost, ImportedThread, ImportWrite
from bot.replies import FORGOTTEN_NAME
from storage.rows import to_ms
from storage.sqlite.session import Session
from storage.sqlite.sql import CLOCK, INSERT_TAG, RETALLY_POST
from storage.sqlite.writer import SqliteWriter

__all__ = ["SqliteImports"]

CLAIM_THREAD = """
INSERT INTO import_checkpoints (workspace_id, channel_id, thread_id, done_ms)
VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"""

THREADS_DONE = (
    "SELECT thread_id FROM import_checkpoints WHERE workspace_id = :ws AND channel_id = :channel"
)

# A person who opted out keeps their id on the post (they may still accept) but shows no name.
_NAME = f"""CASE WHEN EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = :ws AND user_id = :author)
     THEN '{FORGOTTEN_NAME}' ELSE :name END"""

# A message already on the board (asked or answered live, imported before) hits posts_by_message.
IMPORT_QUESTION = f"""
INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body, tags,
                   created_ms, message_channel, message_id, thread_key)
VALUES (:ws, 'Q', (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = :ws
                   AND kind = 'Q'),
        :channel, :author, {_NAME}, :body, :tags, :created, :mchannel, :mid, :thread)
ON CONFLICT DO NOTHING
RETURNING id"""

IMPORT_ANSWER = f"""
INSERT INTO posts (workspace_id, kind, number, question_id, channel_id, author_id, author_name,
                   body, created_ms, message_channel, message_id)
VALUES (:ws, 'A', (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = :ws
                   AND kind = 'A'),
        :question, :channel, :author, {_NAME}, :body, :created, :mchannel, :mid)
ON CONFLICT DO NOTHING
RETURNING id"""

# As a live vote: nobody who opted out in the workspace, and the same row twice is one row.
IMPORT_VOTE = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
SELECT ?1, ?2, ?3, ?4, ?5, {CLOCK}
WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = ?6 AND user_id = ?2)
ON CONFLICT DO NOTHING"""

SET_ACCEPTED = "UPDATE posts SET accepted_answer_id = ? WHERE id = ?"


class SqliteImports:
    def __init__(self, session: Session, writer: SqliteWriter) -> None:
        self._session = session
        self._writer = writer

    async def import_threads(
        self, workspace: WorkspaceRef, threads: Sequence[ImportedThread], *, at: datetime
    ) -> ImportWrite:
        at_ms = to_ms(at)

        def write(db: sqlite3.Connection) -> ImportWrite:
            ws = self._session.workspaces.id(db, workspace)
            total = ImportWrite()
            for thread in threads:
                total = _add(total, _thread(db, ws, thread, at_ms))
            return total

        return await self._writer.run(write)

    async def imported_threads(self, workspace: WorkspaceRef, channel_id: str) -> Collection[str]:
        rows = await self._session.read(workspace, THREADS_DONE, {"channel": channel_id})
        return {str(row["thread_id"]) for row in rows}


def _add(a: ImportWrite, b: ImportWrite) -> ImportWrite:
    return ImportWrite(a.questions + b.questions, a.answers + b.answers, a.votes + b.votes)


def _thread(db: sqlite3.Connection, ws: int, thread: ImportedThread, at_ms: int) -> ImportWrite:
    claim = (ws, thread.channel_id, thread.thread_id, at_ms)
    if db.execute(CLAIM_THREAD, claim).rowcount == 0:
        return ImportWrite()  # finished by an earlier run
    asked = thread.question
    params = _post_params(ws, asked)
    params.update(channel=thread.channel_id, tags=" ".join(thread.tags), thread=thread.thread_key)
    row = db.execute(IMPORT_QUESTION, params).fetchone()
    if row is None:
        return ImportWrite()  # the question's message is already on the board
    question = int(row[0])
    db.executemany(INSERT_TAG, [(tag, question) for tag in thread.tags])
    votes = _votes(db, ws, question, asked)
    answers = 0
    for index, reply in enumerate(thread.answers):
        params = _post_params(ws, reply)
        params.update(question=question, channel=thread.channel_id)
        added = db.execute(IMPORT_ANSWER, params).fetchone()
        if added is None:
            continue  # answered live: already on the board
        answers += 1
        votes += _votes(db, ws, int(added[0]), reply)
        if index == thread.accepted:
            db.execute(SET_ACCEPTED, (added[0], question))
    return ImportWrite(1, answers, votes)


def _post_params(ws: int, post: ImportedPost) -> dict[str, object]:
    return {
        "ws": ws, "channel": post.message.channel_id, "author": post.author_id,
        "name": post.author_name, "body": post.text, "created": to_ms(post.created_at),
        "mchannel": post.message.channel_id, "mid": post.message.message_id,
    }  # fmt: skip


def _votes(db: sqlite3.Connection, ws: int, post: int, imported: ImportedPost) -> int:
    """The post's vote rows (dated with the post: a reaction's own time is not listed)."""
    if not imported.votes:
        return 0
    created = to_ms(imported.created_at)
    rows = [(post, v.voter_id, v.emoji, v.weight, created, ws) for v in imported.votes]
    added = db.executemany(IMPORT_VOTE, rows).rowcount
    if added:
        db.execute(RETALLY_POST, {"post": post}).fetchall()
    return added
