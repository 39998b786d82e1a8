"""The Store on one SQLite file through aiosqlite: the embedded default.

One aiosqlite connection in WAL mode serves reads and the rarer writes: every unit of work runs
under one asyncio lock in its own transaction, because coroutines share the connection and must
not see or join each other's half-done transactions. Votes, answers and the lookups a reaction
needs go through a second connection on a group-committing writer thread (sqlite_writer).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain import (
    Answer,
    MessageRef,
    Post,
    PostId,
    PostKind,
    Question,
    RankedAnswer,
    SearchHit,
    TopQuery,
    VoteSubject,
    WorkspaceRef,
)
from bot.errors import StoreUnavailable
from bot.ports import NewAnswer, NewQuestion, VoteTally
from bot.voting import wilson_lower_bound
from storage import sqlite_ops as ops
from storage import sqlite_sql as sql
from storage.migrations import migrations_for
from storage.rows import answer_from_row, question_from_row, to_ms
from storage.sqlite_reconcile import SqliteReconcile
from storage.sqlite_rows import SqliteRows
from storage.sqlite_surfacing import SqliteSurfacing
from storage.sqlite_writer import SqliteWriter

__all__ = ["SqliteStore"]

log = logging.getLogger("qabot.storage")
# aiosqlite logs every statement with its parameters at DEBUG, anonymous askers' ids among them:
# even a DEBUG run of qabot must not write those to a log.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

_TOP_FILTERS = ("channel", "since", "tag", "question")
_UNAVAILABLE = "The Q&A store is unavailable right now; nothing was changed. Please try again."


class SqliteStore(SqliteRows, SqliteSurfacing, SqliteReconcile):
    def __init__(self, connection: aiosqlite.Connection, writer: SqliteWriter) -> None:
        self._db = connection
        self._lock = asyncio.Lock()
        self._workspaces: dict[WorkspaceRef, int] = {}
        # Votes, answers and the lookups a reaction needs go through the group-committing
        # writer; every other write keeps `_transaction` on the aiosqlite connection.
        self._writer = writer
        self._writer_workspaces = ops.Workspaces()
        writer.invalidate = self._writer_workspaces.clear

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> SqliteStore:
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            for pragma in sql.PRAGMAS:
                await connection.execute(pragma)
            await connection.create_function("wilson", 2, wilson_lower_bound, deterministic=True)
            store = cls(connection, SqliteWriter(str(path), pragmas=sql.PRAGMAS))
            if migrate:
                await store.migrate()
            await store._writer.start()
        except BaseException:
            # Not a database, or a failed migration: close, or the connection's thread keeps
            # the process alive after the error is reported.
            await connection.close()
            raise
        return store

    async def close(self) -> None:
        await self._writer.close()
        await self._db.close()

    async def migrate(self) -> int:
        """Apply every schema file newer than the database; return how many ran."""
        async with self._transaction() as db:
            await db.execute(sql.CREATE_MIGRATIONS_TABLE)
            rows = await db.execute_fetchall(sql.APPLIED_VERSIONS)
            applied = {row[0] for row in rows}
        pending = [m for m in migrations_for("sqlite") if m.version not in applied]
        for migration in pending:
            async with self._guard():
                # executescript commits on its own, so the version row rides in the same script.
                await self._db.executescript(
                    f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                    f"INSERT INTO schema_migrations (version, name) "
                    f"VALUES ({migration.version}, '{migration.name}');\nCOMMIT;"
                )
            log.info("applied schema migration %04d_%s", migration.version, migration.name)
        return len(pending)

    # Plumbing ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            log.error("SQLite error: %s", error)
            if self._db.in_transaction:
                await self._db.rollback()
            raise StoreUnavailable(_UNAVAILABLE) from error

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock, self._guard():
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                # A QAError (NotFound) must not leave the transaction open, nor a cached id of
                # a workspace row that the rollback removes (SQLite may reuse that id).
                await self._db.rollback()
                self._workspaces.clear()
                raise
            await self._db.commit()

    async def _workspace_id(self, db: aiosqlite.Connection, workspace: WorkspaceRef) -> int:
        cached = self._workspaces.get(workspace)
        if cached is None:
            key = (workspace.platform, workspace.workspace_id)
            await db.execute(sql.INSERT_WORKSPACE, key)
            rows = await db.execute_fetchall(sql.SELECT_WORKSPACE, key)
            cached = self._workspaces[workspace] = next(iter(rows))[0]
        return cached

    async def _one(
        self, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> sqlite3.Row | None:
        rows = list(await self._db.execute_fetchall(query, params))
        return rows[0] if rows else None

    async def _post_row(self, db: aiosqlite.Connection, ws: int, post_id: PostId) -> int | None:
        row = await self._one(sql.LIVE_POST_ID, (ws, post_id.kind.value, post_id.number))
        return None if row is None else int(row[0])

    # Writes -----------------------------------------------------------------------------------

    async def add_question(self, new: NewQuestion) -> Question:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, new.workspace)
            params = {
                "ws": ws, "channel": new.channel_id, "private": new.channel_is_private,
                "author": new.asker_id, "name": new.asker_name, "body": new.text,
                "tags": " ".join(new.tags), "anonymous": new.anonymous,
                "created": to_ms(new.created_at),
            }  # fmt: skip
            row = await self._one(sql.INSERT_QUESTION, params)
            assert row is not None
            await db.executemany(sql.INSERT_TAG, [(tag, row["id"]) for tag in new.tags])
            return question_from_row(row, new.workspace)

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, workspace)
            params = (message.channel_id, message.message_id, thread_key, ws, number)
            await db.execute(sql.LINK_QUESTION, params)

    async def add_answer(self, new: NewAnswer) -> Answer:
        message = new.message or MessageRef("", "")
        params = {
            "question": new.question_number, "author": new.author_id,
            "name": new.author_name, "body": new.text, "created": to_ms(new.created_at),
            "mchannel": new.message and message.channel_id,
            "mid": new.message and message.message_id,
        }  # fmt: skip

        def insert(db: sqlite3.Connection) -> Answer:
            params["ws"] = self._writer_workspaces.id(db, new.workspace)
            return ops.add_answer(db, params, new.workspace)

        return await self._writer.run(insert)

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, workspace)
            await db.execute(sql.LINK_ANSWER, (message.channel_id, message.message_id, ws, number))

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, workspace)
            params = (text, ws, post_id.kind.value, post_id.number)
            cursor = await db.execute(sql.EDIT_POST, params)
            return cursor.rowcount > 0

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, workspace)
            params = {"ws": ws, "kind": post_id.kind.value, "number": post_id.number}
            cursor = await db.execute(sql.REMOVE_POST, params)
            return cursor.rowcount > 0

    async def add_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        weight: int,
        at: datetime,
    ) -> VoteTally:
        at_ms = to_ms(at)

        def add(db: sqlite3.Connection) -> VoteTally:
            ws = self._writer_workspaces.id(db, workspace)
            return ops.vote(
                db, ws, post_id, voter=voter_id, emoji=emoji, weight=weight, at_ms=at_ms
            )

        return await self._writer.run(add)

    async def remove_vote(
        self, workspace: WorkspaceRef, post_id: PostId, *, voter_id: str, emoji: str
    ) -> VoteTally:
        def remove(db: sqlite3.Connection) -> VoteTally:
            ws = self._writer_workspaces.id(db, workspace)
            return ops.vote(db, ws, post_id, voter=voter_id, emoji=emoji, weight=None)

        return await self._writer.run(remove)

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        async with self._transaction() as db:
            post = await self._post_row(db, await self._workspace_id(db, workspace), post_id)
            if post is None:
                return VoteTally(0, 0, changed=False)
            cursor = await db.execute(sql.CLEAR_VOTES, {"post": post, "emoji": emoji})
            return await self._retally(db, post, changed=cursor.rowcount > 0)

    async def _retally(self, db: aiosqlite.Connection, post: int, *, changed: bool) -> VoteTally:
        row = await self._one(sql.RETALLY_POST, {"post": post})
        assert row is not None
        return VoteTally(row["ups"], row["downs"], changed=changed)

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None:
        async with self._transaction() as db:
            ws = await self._workspace_id(db, workspace)
            await db.execute(sql.SET_ACCEPTED, {"ws": ws, "question": question, "answer": answer})

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        async with self._transaction() as db:
            ws = None if workspace is None else await self._workspace_id(db, workspace)
            cursor = await db.execute(sql.RECOUNT, {"ws": ws})
            return cursor.rowcount

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        # Through the writer: the hot-answer check claims on every vote past the threshold.
        def insert(db: sqlite3.Connection) -> bool:
            ws = self._writer_workspaces.id(db, workspace)
            return db.execute(sql.CLAIM, (ws, job, period, owner, to_ms(at))).rowcount > 0

        return await self._writer.run(insert, savepoint=False)

    # Reads ------------------------------------------------------------------------------------

    # The lookups every reaction and thread reply makes run at once on the writer's connection
    # (SqliteWriter.read): no thread hop, no queue, and they see every write committed before.

    async def get_post(self, workspace: WorkspaceRef, post_id: PostId) -> Post | None:
        return await self._writer.read(lambda db: self._find_post(db, workspace, post_id))

    async def get_post_by_message(
        self, workspace: WorkspaceRef, message: MessageRef
    ) -> Post | None:
        return await self._writer.read(lambda db: self._find_post(db, workspace, message))

    def _find_post(
        self, db: sqlite3.Connection, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> Post | None:
        ws = self._writer_workspaces.id(db, workspace, create=False)
        return ops.get_post(db, ws, workspace, target)

    async def vote_subject(
        self, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> VoteSubject | None:
        def find(db: sqlite3.Connection) -> VoteSubject | None:
            ws = self._writer_workspaces.id(db, workspace, create=False)
            return ops.vote_subject(db, ws, workspace, target)

        return await self._writer.read(find)

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None:
        def find(db: sqlite3.Connection) -> Question | None:
            ws = self._writer_workspaces.id(db, workspace, create=False)
            return ops.get_question_by_thread(db, ws, workspace, thread_key)

        return await self._writer.read(find)

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        params = {
            "channel": None if query.question is not None else query.channel_id,
            "since": None if since is None else to_ms(since),
            "tag": query.tag, "question": query.question, "limit": query.limit,
        }  # fmt: skip
        async with self._lock, self._guard():
            params["ws"] = await self._workspace_id(self._db, workspace)
            statement = sql.top_answers(**{key: params[key] is not None for key in _TOP_FILTERS})
            rows = await self._db.execute_fetchall(statement, params)
        ranked = []
        for rank, row in enumerate(rows, start=1):
            question = question_from_row(row, workspace, prefix="q_")
            answer = answer_from_row(row, workspace)
            accepted = question.accepted_answer == answer.number
            ranked.append(RankedAnswer(rank, answer, question, accepted))
        return ranked

    async def search(
        self, workspace: WorkspaceRef, words: Sequence[str], *, limit: int
    ) -> Sequence[SearchHit]:
        # Each word is quoted, so FTS5 sees plain terms and never query syntax.
        match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        async with self._lock, self._guard():
            ws = await self._workspace_id(self._db, workspace)
            rows = await self._db.execute_fetchall(sql.SEARCH, (match, ws, limit))
        hits = []
        for row in rows:
            question = question_from_row(row, workspace, prefix="q_")
            post = question if row["kind"] == PostKind.QUESTION else answer_from_row(row, workspace)
            hits.append(SearchHit(post, question))
        return hits
