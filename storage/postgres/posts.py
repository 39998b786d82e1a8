"""The PostgreSQL store's questions and answers: write, link, edit, remove, accept, look up."""

from __future__ import annotations

from typing import Any

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
from bot.ports import AskCheck, NewAnswer, NewQuestion
from storage.postgres.database import Database, rowcount
from storage.postgres.limits import LimitPruning, take_ask
from storage.postgres.lookups import PostLookups
from storage.postgres.sql import (
    ACCEPT_ANSWER,
    ANSWER_BY_MESSAGE,
    CLEAR_ACCEPTED,
    EDIT_POST,
    INSERT_ANSWER,
    INSERT_QUESTION,
    INSERT_TAG,
    LINK_ANSWER,
    LINK_QUESTION,
    NEXT_NUMBER,
    POST_BY_THREAD,
    POSTS_BY_MESSAGE,
    POSTS_BY_NUMBER,
    REMOVE_POST,
    UNACCEPT_REMOVED,
)
from storage.rows import (
    Row,
    answer_from_row,
    post_from_row,
    question_from_row,
    to_ms,
    vote_subject_from_row,
)

__all__ = ["PostgresPosts"]


class _NothingInserted(Exception):
    """Raised inside a write to roll it back: nothing new was stored, so no number is burned."""


class PostgresPosts:
    def __init__(self, db: Database, pruning: LimitPruning) -> None:
        self._db = db
        self._pruning = pruning
        self._by_number = PostLookups(db.pool, POSTS_BY_NUMBER)
        self._by_message = PostLookups(db.pool, POSTS_BY_MESSAGE)

    async def close(self) -> None:
        await self._by_number.close()
        await self._by_message.close()

    async def add_question(self, new: NewQuestion, *, check: AskCheck | None = None) -> Question:
        ws = await self._db.workspace_id(new.workspace)
        if check is not None:
            self._pruning.asked(check)

        async def insert(conn: Any) -> Row:
            if check is not None:  # first: the asker's lock comes before the number counter's
                await take_ask(conn, ws, new.asker_id, check)
            number = await conn.fetchval(NEXT_NUMBER, ws, PostKind.QUESTION.value)
            row: Row = await conn.fetchrow(
                INSERT_QUESTION, ws, number, new.channel_id, new.channel_is_private,
                new.asker_id, new.asker_name, new.text, " ".join(new.tags), new.anonymous,
                to_ms(new.created_at),
            )  # fmt: skip
            await conn.executemany(INSERT_TAG, [(tag, row["id"]) for tag in new.tags])
            return row

        return question_from_row(await self._db.write(insert), new.workspace)

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        ws = await self._db.workspace_id(workspace)
        args = (message.channel_id, message.message_id, thread_key, ws, number)
        await self._db.write(lambda conn: conn.execute(LINK_QUESTION, *args))

    async def add_answer(self, new: NewAnswer) -> Answer:
        ws = await self._db.workspace_id(new.workspace)
        channel = new.message.channel_id if new.message else None
        message_id = new.message.message_id if new.message else None

        async def insert(conn: Any) -> Row:
            number = await conn.fetchval(NEXT_NUMBER, ws, PostKind.ANSWER.value)
            row: Row | None = await conn.fetchrow(
                INSERT_ANSWER, ws, number, new.question_number, new.author_id,
                new.author_name, new.text, to_ms(new.created_at), channel, message_id,
            )  # fmt: skip
            if row is None:
                raise _NothingInserted
            return row

        try:
            row: Row | None = await self._db.write(insert)
        except _NothingInserted:  # the same message again: the answer it already made
            row = await self._db.fetchrow(ANSWER_BY_MESSAGE, ws, channel, message_id)
        if row is None:
            raise NotFound("That question is no longer open for answers.")
        return answer_from_row(row, new.workspace)

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        ws = await self._db.workspace_id(workspace)
        args = (message.channel_id, message.message_id, ws, number)
        await self._db.write(lambda conn: conn.execute(LINK_ANSWER, *args))

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool:
        ws = await self._db.workspace_id(workspace)
        args = (text, ws, post_id.kind.value, post_id.number)
        status = await self._db.write(lambda conn: conn.execute(EDIT_POST, *args))
        return rowcount(status) > 0

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        ws = await self._db.workspace_id(workspace)
        args = (ws, post_id.kind.value, post_id.number)

        async def remove(conn: Any) -> int:
            removed = rowcount(await conn.execute(REMOVE_POST, *args))
            await conn.execute(UNACCEPT_REMOVED, *args)
            return removed

        return await self._db.write(remove) > 0

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None:
        """Accept a live answer to the question (or clear the acceptance, answer None); raise
        NotFound when the answer is not a live answer to that question."""
        ws = await self._db.workspace_id(workspace)
        if answer is None:
            await self._db.write(lambda conn: conn.execute(CLEAR_ACCEPTED, ws, question))
            return
        status = await self._db.write(
            lambda conn: conn.execute(ACCEPT_ANSWER, ws, question, answer)
        )
        if rowcount(status) == 0:
            raise NotFound(f"There is no {PostId(PostKind.ANSWER, answer)} here.")

    async def get_post(self, workspace: WorkspaceRef, post_id: PostId) -> Post | None:
        row = await self._post_row(workspace, post_id)
        return None if row is None else post_from_row(row, workspace)

    async def get_post_by_message(
        self, workspace: WorkspaceRef, message: MessageRef
    ) -> Post | None:
        row = await self._post_row(workspace, message)
        return None if row is None else post_from_row(row, workspace)

    async def vote_subject(
        self, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> VoteSubject | None:
        row = await self._post_row(workspace, target)
        return None if row is None else vote_subject_from_row(row, workspace)

    async def _post_row(self, workspace: WorkspaceRef, target: PostId | MessageRef) -> Any:
        """The live post's row, coalesced with the other lookups waiting (every reaction event
        makes one; storage/postgres/lookups.py)."""
        ws = await self._db.known_workspace(workspace)
        if ws == 0:
            return None
        if isinstance(target, PostId):
            return await self._by_number.get((ws, target.kind.value, target.number))
        return await self._by_message.get((ws, target.channel_id, target.message_id))

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None:
        ws = await self._db.known_workspace(workspace)
        row = await self._db.fetchrow(POST_BY_THREAD, ws, thread_key)
        return None if row is None else question_from_row(row, workspace)
