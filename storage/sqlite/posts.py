"""The SQLite store's questions and answers: write, link, edit, remove, accept, look up."""

from __future__ import annotations

import sqlite3

import storage.sqlite.ops as ops
from bot.domain import (
    Answer,
    MessageRef,
    Post,
    PostId,
    PostKind,
    Question,
    VoteSubject,
    WorkspaceRef,
)
from bot.errors import NotFound
from bot.ports import NewAnswer, NewQuestion
from storage.rows import question_from_row, to_ms
from storage.sqlite.session import Session
from storage.sqlite.sql import (
    ACCEPT_ANSWER,
    CLEAR_ACCEPTED,
    EDIT_POST,
    INSERT_QUESTION,
    INSERT_TAG,
    LINK_ANSWER,
    LINK_QUESTION,
    REMOVE_POST,
    UNACCEPT_REMOVED,
)
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter

__all__ = ["SqlitePosts"]


class SqlitePosts:
    """Answers and lookups by id, message or thread go through the writer (they come with
    thread replies and reactions); the other writes are rare and use the session."""

    def __init__(self, session: Session, writer: SqliteWriter, workspaces: WorkspaceIds) -> None:
        self._session = session
        self._writer = writer
        self._workspaces = workspaces

    async def add_question(self, new: NewQuestion) -> Question:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, new.workspace)
            params = {
                "ws": ws, "channel": new.channel_id, "private": new.channel_is_private,
                "author": new.asker_id, "name": new.asker_name, "body": new.text,
                "tags": " ".join(new.tags), "anonymous": new.anonymous,
                "created": to_ms(new.created_at),
            }  # fmt: skip
            row = await self._session.one(INSERT_QUESTION, params)
            assert row is not None
            await db.executemany(INSERT_TAG, [(tag, row["id"]) for tag in new.tags])
            return question_from_row(row, new.workspace)

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            params = (message.channel_id, message.message_id, thread_key, ws, number)
            await db.execute(LINK_QUESTION, params)

    async def add_answer(self, new: NewAnswer) -> Answer:
        message = new.message or MessageRef("", "")
        params = {
            "question": new.question_number, "author": new.author_id,
            "name": new.author_name, "body": new.text, "created": to_ms(new.created_at),
            "mchannel": new.message and message.channel_id,
            "mid": new.message and message.message_id,
        }  # fmt: skip

        def insert(db: sqlite3.Connection) -> Answer:
            params["ws"] = self._workspaces.id(db, new.workspace)
            return ops.add_answer(db, params, new.workspace)

        return await self._writer.run(insert)

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            await db.execute(LINK_ANSWER, (message.channel_id, message.message_id, ws, number))

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            params = (text, ws, post_id.kind.value, post_id.number)
            cursor = await db.execute(EDIT_POST, params)
            return cursor.rowcount > 0

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            params = {"ws": ws, "kind": post_id.kind.value, "number": post_id.number}
            cursor = await db.execute(REMOVE_POST, params)
            await db.execute(UNACCEPT_REMOVED, params)
            return cursor.rowcount > 0

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None:
        """Accept a live answer to the question (or clear the acceptance, answer None); raise
        NotFound when the answer is not a live answer to that question."""
        async with self._session.transaction() as db:
            ws = await self._session.workspace_id(db, workspace)
            params = {"ws": ws, "question": question, "answer": answer}
            if answer is None:
                await db.execute(CLEAR_ACCEPTED, params)
                return
            cursor = await db.execute(ACCEPT_ANSWER, params)
        if cursor.rowcount == 0:
            raise NotFound(f"There is no {PostId(PostKind.ANSWER, answer)} here.")

    # The lookups every reaction and thread reply makes run at once on the writer's connection
    # (SqliteWriter.read): no thread hop, no queue, and they see every write committed before.

    async def get_post(self, workspace: WorkspaceRef, post_id: PostId) -> Post | None:
        return await self._writer.read(lambda db: self._find(db, workspace, post_id))

    async def get_post_by_message(
        self, workspace: WorkspaceRef, message: MessageRef
    ) -> Post | None:
        return await self._writer.read(lambda db: self._find(db, workspace, message))

    def _find(
        self, db: sqlite3.Connection, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> Post | None:
        ws = self._workspaces.id(db, workspace, create=False)
        return ops.get_post(db, ws, workspace, target)

    async def vote_subject(
        self, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> VoteSubject | None:
        def find(db: sqlite3.Connection) -> VoteSubject | None:
            ws = self._workspaces.id(db, workspace, create=False)
            return ops.vote_subject(db, ws, workspace, target)

        return await self._writer.read(find)

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None:
        def find(db: sqlite3.Connection) -> Question | None:
            ws = self._workspaces.id(db, workspace, create=False)
            return ops.get_question_by_thread(db, ws, workspace, thread_key)

        return await self._writer.read(find)
