"""The PostgreSQL store's import of a community's history (bot/importing.py): threads in batches.

A batch is one transaction. Each thread first claims its checkpoint row; a thread whose
checkpoint is already there, or whose question message is already a post, writes nothing.
Numbers come from post_counters as for live posts; its row stays locked until the batch commits,
so the importer keeps batches short.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from bot.domain import WorkspaceRef
from bot.ports import ImportedPost, ImportedThread, ImportWrite
from bot.replies import FORGOTTEN_NAME
from storage.postgres.database import Database, rowcount
from storage.postgres.sql import CLOCK, INSERT_TAG
from storage.rows import to_ms

__all__ = ["PostgresImports"]

CLAIM_THREAD = """
INSERT INTO import_checkpoints (workspace_id, channel_id, thread_id, done_ms)
VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"""

THREADS_DONE = (
    "SELECT thread_id FROM import_checkpoints WHERE workspace_id = $1 AND channel_id = $2"
)

# The next number of a kind, as NEXT_NUMBER takes it for a live post.
_NUMBER = """
WITH n AS (
    INSERT INTO post_counters AS c (workspace_id, kind, last_number)
    VALUES ($1, '{kind}', (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = $1
                           AND kind = '{kind}'))
    ON CONFLICT (workspace_id, kind) DO UPDATE SET last_number = c.last_number + 1
    RETURNING last_number)"""

# A person who opted out keeps their id on the post (they may still accept) but shows no name.
_NAME = f"""CASE WHEN EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = $1 AND user_id = $3)
     THEN '{FORGOTTEN_NAME}' ELSE $4 END"""

# A message already on the board (asked or answered live, imported before) hits posts_by_message.
IMPORT_QUESTION = f"""{_NUMBER.format(kind="Q")}
INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body,
                   created_ms, message_channel, message_id, tags, thread_key)
SELECT $1, 'Q', n.last_number, $2, $3, {_NAME}, $5, $6, $7, $8, $9, $10 FROM n
ON CONFLICT DO NOTHING
RETURNING id"""

# The numbers of a thread's answers, reserved at once: the last one is returned.
RESERVE_ANSWERS = """
INSERT INTO post_counters AS c (workspace_id, kind, last_number)
VALUES ($1, 'A', (SELECT COALESCE(MAX(number), 0) + $2 FROM posts WHERE workspace_id = $1
                  AND kind = 'A'))
ON CONFLICT (workspace_id, kind) DO UPDATE SET last_number = c.last_number + $2
RETURNING last_number"""

# A thread's answers in thread order, numbered from $2 + 1.
IMPORT_ANSWERS = f"""
INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body,
                   created_ms, message_channel, message_id, question_id)
SELECT $1, 'A', $2 + a.i, $3, a.author,
       CASE WHEN EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = $1 AND user_id = a.author)
            THEN '{FORGOTTEN_NAME}' ELSE a.name END,
       a.body, a.created, a.mchannel, a.mid, $4
FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])
     WITH ORDINALITY AS a (author, name, body, created, mchannel, mid, i)
ORDER BY a.i
ON CONFLICT DO NOTHING
RETURNING id, message_id"""

# As a live vote: nobody who opted out in the workspace, and the same row twice is one row.
IMPORT_VOTES = f"""
INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
SELECT s.post, s.voter, s.emoji, s.weight, s.created, {CLOCK}
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::bigint[])
     AS s (post, voter, emoji, weight, created)
WHERE NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = $6 AND o.user_id = s.voter)
ON CONFLICT DO NOTHING"""

# The counts of the thread's posts, from their vote rows (rank_score follows by itself).
RETALLY_POSTS = """
UPDATE posts SET ups = t.ups, downs = t.downs
FROM (SELECT v.post_id, COUNT(*) FILTER (WHERE v.net > 0)::integer AS ups,
             COUNT(*) FILTER (WHERE v.net < 0)::integer AS downs
      FROM (SELECT post_id, SUM(weight) AS net FROM votes WHERE post_id = ANY($1::bigint[])
            GROUP BY post_id, voter_id) AS v
      GROUP BY v.post_id) AS t
WHERE posts.id = t.post_id"""

SET_ACCEPTED = "UPDATE posts SET accepted_answer_id = $1 WHERE id = $2"


class PostgresImports:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def import_threads(
        self, workspace: WorkspaceRef, threads: Sequence[ImportedThread], *, at: datetime
    ) -> ImportWrite:
        ws = await self._db.workspace_id(workspace)
        at_ms = to_ms(at)

        async def write(conn: Any) -> ImportWrite:
            total = ImportWrite()
            for thread in threads:
                done = await _thread(conn, ws, thread, at_ms)
                total = ImportWrite(
                    total.questions + done.questions, total.answers + done.answers,
                    total.votes + done.votes,
                )  # fmt: skip
            return total

        return await self._db.write(write)

    async def imported_threads(self, workspace: WorkspaceRef, channel_id: str) -> Collection[str]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(THREADS_DONE, ws, channel_id)
        return {str(row["thread_id"]) for row in rows}


def _post_args(ws: int, channel_id: str, post: ImportedPost) -> tuple[Any, ...]:
    return (
        ws, channel_id, post.author_id, post.author_name, post.text, to_ms(post.created_at),
        post.message.channel_id, post.message.message_id,
    )  # fmt: skip


async def _thread(conn: Any, ws: int, thread: ImportedThread, at_ms: int) -> ImportWrite:
    claimed = await conn.execute(CLAIM_THREAD, ws, thread.channel_id, thread.thread_id, at_ms)
    if rowcount(claimed) == 0:
        return ImportWrite()  # finished by an earlier run
    args = _post_args(ws, thread.channel_id, thread.question)
    question = await conn.fetchval(IMPORT_QUESTION, *args, " ".join(thread.tags), thread.thread_key)
    if question is None:
        return ImportWrite()  # the question's message is already on the board
    if thread.tags:
        await conn.executemany(INSERT_TAG, [(tag, question) for tag in thread.tags])
    ids = {thread.question.message.message_id: question}
    if thread.answers:
        ids.update(await _answers(conn, ws, thread, question))
    votes = await _votes(conn, ws, thread, ids)
    accepted = None if thread.accepted is None else thread.answers[thread.accepted]
    if accepted is not None and accepted.message.message_id in ids:
        await conn.execute(SET_ACCEPTED, ids[accepted.message.message_id], question)
    return ImportWrite(1, len(ids) - 1, votes)


async def _answers(conn: Any, ws: int, thread: ImportedThread, question: int) -> dict[str, int]:
    """Insert the thread's answers in order; their row ids by message id."""
    answers = thread.answers
    last = await conn.fetchval(RESERVE_ANSWERS, ws, len(answers))
    rows = await conn.fetch(
        IMPORT_ANSWERS, ws, last - len(answers), thread.channel_id, question,
        [a.author_id for a in answers], [a.author_name for a in answers],
        [a.text for a in answers], [to_ms(a.created_at) for a in answers],
        [a.message.channel_id for a in answers], [a.message.message_id for a in answers],
    )  # fmt: skip
    return {str(row["message_id"]): int(row["id"]) for row in rows}


async def _votes(conn: Any, ws: int, thread: ImportedThread, ids: dict[str, int]) -> int:
    """The vote rows of the posts written (dated with their post: a reaction's own time is not
    listed), then their counts."""
    rows = [
        (ids[post.message.message_id], vote, to_ms(post.created_at))
        for post in (thread.question, *thread.answers)
        if post.message.message_id in ids
        for vote in post.votes
    ]
    if not rows:
        return 0
    status = await conn.execute(
        IMPORT_VOTES, [post for post, _, _ in rows], [v.voter_id for _, v, _ in rows],
        [v.emoji for _, v, _ in rows], [v.weight for _, v, _ in rows],
        [created for _, _, created in rows], ws,
    )  # fmt: skip
    await conn.execute(RETALLY_POSTS, list({post for post, _, _ in rows}))
    return rowcount(status)
