"""The PostgreSQL store's import of a community's history (bot/importing.py): threads in batches.

A batch is one transaction of four statements, whatever its size: the checkpoints of every
thread, then every question, every answer, every vote row, each set at once (arrays, `unnest`).
Per-thread statements would cost a round trip each, and the transaction would stay open, its
numbers' post_counters row locked, for all of them. A thread whose checkpoint is already there,
or whose question message is already a post, writes nothing; an answer already on the board is
left alone with its votes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from bot.domain import WorkspaceRef
from bot.ports import ImportedPost, ImportedThread, ImportWrite
from bot.replies import FORGOTTEN_NAME
from storage.postgres.database import Database
from storage.postgres.sql import CLOCK
from storage.rows import to_ms

__all__ = ["PostgresImports"]

CLAIM_THREADS = """
INSERT INTO import_checkpoints (workspace_id, channel_id, thread_id, done_ms)
SELECT $1, t.channel, t.thread, $4 FROM unnest($2::text[], $3::text[]) AS t (channel, thread)
ON CONFLICT DO NOTHING
RETURNING channel_id, thread_id"""

THREADS_DONE = (
    "SELECT thread_id FROM import_checkpoints WHERE workspace_id = $1 AND channel_id = $2"
)

# The next `$2` numbers of a kind at once, as NEXT_NUMBER takes one for a live post.
_RESERVE = """
INSERT INTO post_counters AS c (workspace_id, kind, last_number)
VALUES ($1, '{kind}', (SELECT COALESCE(MAX(number), 0) + {count} FROM posts
                       WHERE workspace_id = $1 AND kind = '{kind}'))
ON CONFLICT (workspace_id, kind) DO UPDATE SET last_number = c.last_number + {count}
RETURNING last_number"""

# A person who opted out keeps their id on the post (they may still accept) but shows no name.
_NAME = f"""CASE WHEN EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = $1 AND user_id = p.author)
     THEN '{FORGOTTEN_NAME}' ELSE p.name END"""

_POSTS = """unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
              $8::text[], {extra}) WITH ORDINALITY
     AS p (channel, author, name, body, created, mchannel, mid, {extra_names}, i)"""

# The batch's questions in the order asked, numbered so; a message already on the board (asked
# or answered live, imported before) hits posts_by_message. Tags go with the questions written.
IMPORT_QUESTIONS = f"""
WITH n AS ({_RESERVE.format(kind="Q", count="cardinality($2::text[])")}),
added AS (
    INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body,
                       created_ms, message_channel, message_id, tags, thread_key)
    SELECT $1, 'Q', n.last_number - cardinality($2::text[]) + p.i, p.channel, p.author, {_NAME},
           p.body, p.created, p.mchannel, p.mid, p.tags, p.thread
    FROM n, {_POSTS.format(extra="$9::text[], $10::text[]", extra_names="tags, thread")}
    ORDER BY p.i
    ON CONFLICT DO NOTHING
    RETURNING id, message_channel, message_id),
tagged AS (
    INSERT INTO question_tags (tag, question_id)
    SELECT t.tag, added.id
    FROM added JOIN unnest($11::text[], $12::text[], $13::text[]) AS t (mchannel, mid, tag)
         ON (t.mchannel, t.mid) = (added.message_channel, added.message_id)
    ON CONFLICT DO NOTHING)
SELECT id, message_channel, message_id FROM added"""

# The answers of the questions written, in thread order, numbered so; the asker's accepted one
# is set on its question (written by the statement before, so this one may update it).
IMPORT_ANSWERS = f"""
WITH n AS ({_RESERVE.format(kind="A", count="cardinality($2::text[])")}),
p AS (SELECT * FROM {
    _POSTS.format(extra="$9::bigint[], $10::boolean[]", extra_names="question, accepted")
}),
added AS (
    INSERT INTO posts (workspace_id, kind, number, channel_id, author_id, author_name, body,
                       created_ms, message_channel, message_id, question_id)
    SELECT $1, 'A', n.last_number - cardinality($2::text[]) + p.i, p.channel, p.author, {_NAME},
           p.body, p.created, p.mchannel, p.mid, p.question
    FROM n, p
    ORDER BY p.i
    ON CONFLICT DO NOTHING
    RETURNING id, question_id, message_channel, message_id),
accepted AS (
    UPDATE posts SET accepted_answer_id = added.id
    FROM added JOIN p ON (p.mchannel, p.mid) = (added.message_channel, added.message_id)
    WHERE p.accepted AND posts.id = added.question_id)
SELECT id, message_channel, message_id FROM added"""

# As a live vote: nobody who opted out in the workspace, and the same row twice is one row. The
# posts are new, so the rows written are all their votes: their counts come from those rows
# (rank_score follows by itself).
IMPORT_VOTES = f"""
WITH added AS (
    INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
    SELECT s.post, s.voter, s.emoji, s.weight, s.created, {CLOCK}
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::bigint[])
         AS s (post, voter, emoji, weight, created)
    WHERE NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.workspace_id = $6 AND o.user_id = s.voter)
    ON CONFLICT DO NOTHING
    RETURNING post_id, voter_id, weight),
counted AS (
    UPDATE posts SET ups = t.ups, downs = t.downs
    FROM (SELECT v.post_id, COUNT(*) FILTER (WHERE v.net > 0)::integer AS ups,
                 COUNT(*) FILTER (WHERE v.net < 0)::integer AS downs
          FROM (SELECT post_id, SUM(weight) AS net FROM added GROUP BY post_id, voter_id) AS v
          GROUP BY v.post_id) AS t
    WHERE posts.id = t.post_id)
SELECT count(*) FROM added"""

_Message = tuple[str, str]  # (channel, message id): Slack's ts is unique only in its channel


class PostgresImports:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def import_threads(
        self, workspace: WorkspaceRef, threads: Sequence[ImportedThread], *, at: datetime
    ) -> ImportWrite:
        ws = await self._db.workspace_id(workspace)
        at_ms = to_ms(at)

        async def write(conn: Any) -> ImportWrite:
            claimed = await _claim(conn, ws, threads, at_ms)
            if not claimed:
                return ImportWrite()  # finished by an earlier run
            questions = await _questions(conn, ws, claimed)
            asked = [t for t in claimed if _key(t.question) in questions]
            answers = await _answers(conn, ws, asked, questions) if asked else {}
            votes = await _votes(conn, ws, asked, {**questions, **answers})
            return ImportWrite(len(questions), len(answers), votes)

        return await self._db.write(write)

    async def imported_threads(self, workspace: WorkspaceRef, channel_id: str) -> Collection[str]:
        ws = await self._db.known_workspace(workspace)
        rows = await self._db.fetch(THREADS_DONE, ws, channel_id)
        return {str(row["thread_id"]) for row in rows}


def _key(post: ImportedPost) -> _Message:
    return (post.message.channel_id, post.message.message_id)


async def _claim(
    conn: Any, ws: int, threads: Sequence[ImportedThread], at_ms: int
) -> list[ImportedThread]:
    """The threads whose checkpoint this batch wrote, in the order given."""
    rows = await conn.fetch(
        CLAIM_THREADS, ws, [t.channel_id for t in threads], [t.thread_id for t in threads], at_ms
    )
    mine = {(str(row["channel_id"]), str(row["thread_id"])) for row in rows}
    return [t for t in threads if (t.channel_id, t.thread_id) in mine]


def _post_arrays(channel_ids: Sequence[str], posts: Sequence[ImportedPost]) -> list[Any]:
    return [
        list(channel_ids), [p.author_id for p in posts], [p.author_name for p in posts],
        [p.text for p in posts], [to_ms(p.created_at) for p in posts],
        [p.message.channel_id for p in posts], [p.message.message_id for p in posts],
    ]  # fmt: skip


def _written(rows: Sequence[Any]) -> dict[_Message, int]:
    return {(str(row["message_channel"]), str(row["message_id"])): int(row["id"]) for row in rows}


async def _questions(conn: Any, ws: int, threads: Sequence[ImportedThread]) -> dict[_Message, int]:
    """Write the threads' questions and tags; the new posts' ids by message."""
    asked = [t.question for t in threads]
    tags = [(t.question.message, tag) for t in threads for tag in t.tags]
    rows = await conn.fetch(
        IMPORT_QUESTIONS, ws, *_post_arrays([t.channel_id for t in threads], asked),
        [" ".join(t.tags) for t in threads], [t.thread_key for t in threads],
        [m.channel_id for m, _ in tags], [m.message_id for m, _ in tags], [tag for _, tag in tags],
    )  # fmt: skip
    return _written(rows)


async def _answers(
    conn: Any, ws: int, threads: Sequence[ImportedThread], questions: dict[_Message, int]
) -> dict[_Message, int]:
    """Write the threads' answers in thread order, and who the askers accepted."""
    replies = [
        (thread, index, answer) for thread in threads for index, answer in enumerate(thread.answers)
    ]
    if not replies:
        return {}
    posts = [answer for _, _, answer in replies]
    rows = await conn.fetch(
        IMPORT_ANSWERS, ws, *_post_arrays([t.channel_id for t, _, _ in replies], posts),
        [questions[_key(t.question)] for t, _, _ in replies],
        [index == t.accepted for t, index, _ in replies],
    )  # fmt: skip
    return _written(rows)


async def _votes(
    conn: Any, ws: int, threads: Sequence[ImportedThread], ids: dict[_Message, int]
) -> int:
    """The vote rows of the posts written (dated with their post: a reaction's own time is not
    listed), and their counts."""
    rows = [
        (ids[_key(post)], vote, to_ms(post.created_at))
        for thread in threads
        for post in (thread.question, *thread.answers)
        if _key(post) in ids
        for vote in post.votes
    ]
    if not rows:
        return 0
    added: int = await conn.fetchval(
        IMPORT_VOTES, [post for post, _, _ in rows], [v.voter_id for _, v, _ in rows],
        [v.emoji for _, v, _ in rows], [v.weight for _, v, _ in rows],
        [created for _, _, created in rows], ws,
    )  # fmt: skip
    return added
