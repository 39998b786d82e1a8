"""The Store on PostgreSQL through an asyncpg pool: many bot processes, one database.

Every write is one READ COMMITTED transaction that first locks the row it is about (the post a
vote is on, the workspace's number counter), so racing processes queue on that row and each later
statement sees what the others committed. The plumbing (pool, retries, error mapping,
migrations) is in postgres_pool; whole-table dump and load for copy-store in postgres_rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]

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
from bot.errors import NotFound, StoreUnavailable
from bot.ports import NewAnswer, NewQuestion, VoteTally
from storage import postgres_sql as sql
from storage.postgres_lookups import Claims, PostLookups
from storage.postgres_pool import FAILURES, UNAVAILABLE, keep_session, rowcount
from storage.postgres_reconcile import PostgresReconcile
from storage.postgres_rows import PostgresRows
from storage.postgres_surfacing import PostgresSurfacing
from storage.postgres_votes import VoteBatcher, VoteEvent
from storage.rows import (
    Row,
    answer_from_row,
    post_from_row,
    question_from_row,
    to_ms,
    vote_subject_from_row,
)

__all__ = ["PostgresStore"]

log = logging.getLogger("qabot.storage")

_RANKING_POOL_SIZE = 2


class _NothingInserted(Exception):
    """Raised inside a write to roll it back: nothing new was stored, so no number is burned."""


class PostgresStore(PostgresRows, PostgresSurfacing, PostgresReconcile):
    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, pool_size: int = 10) -> PostgresStore:
        pools: list[Any] = []
        try:
            pools.append(
                await asyncpg.create_pool(url, min_size=1, max_size=pool_size, reset=keep_session)
            )
            # /top's statement costs more to plan than to run (about 0.5 ms against 0.4 ms on
            # the quick bench), and PostgreSQL keeps planning it per call (its generic plan's
            # estimates look worse, the plan is the same): its own connections plan it once
            # (every shape but a tag's, see top_answers).
            pools.append(
                await asyncpg.create_pool(
                    url, min_size=1, max_size=_RANKING_POOL_SIZE, reset=keep_session,
                    server_settings={"plan_cache_mode": "force_generic_plan"},
                )
            )  # fmt: skip
        except (*FAILURES, ValueError) as error:
            log.error("cannot connect to PostgreSQL: %r", error)
            for pool in pools:
                await pool.close()
            raise StoreUnavailable(UNAVAILABLE) from error
        store = cls(*pools)
        if migrate:
            try:
                await store.migrate()
            except BaseException:
                await store.close()
                raise
        return store

    def __init__(self, pool: Any, ranking: Any = None) -> None:
        super().__init__(pool)
        self._ranking = ranking
        self._votes = VoteBatcher(pool, self._single_vote)
        self._lookups = PostLookups(pool, sql.POSTS_BY_NUMBER)
        self._by_message = PostLookups(pool, sql.POSTS_BY_MESSAGE)
        self._claims = Claims(pool, sql.CLAIMS)

    async def close(self) -> None:
        await self._votes.close()
        await self._lookups.close()
        await self._by_message.close()
        await self._claims.close()
        if self._ranking is not None:
            await self._ranking.close()
        await super().close()

    # Writes -----------------------------------------------------------------------------------

    async def add_question(self, new: NewQuestion) -> Question:
        ws = await self._workspace_id(new.workspace)

        async def insert(conn: Any) -> Row:
            number = await conn.fetchval(sql.NEXT_NUMBER, ws, PostKind.QUESTION.value)
            row: Row = await conn.fetchrow(
                sql.INSERT_QUESTION, ws, number, new.channel_id, new.channel_is_private,
                new.asker_id, new.asker_name, new.text, " ".join(new.tags), new.anonymous,
                to_ms(new.created_at),
            )  # fmt: skip
            await conn.executemany(sql.INSERT_TAG, [(tag, row["id"]) for tag in new.tags])
            return row

        return question_from_row(await self._write(insert), new.workspace)

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        ws = await self._workspace_id(workspace)
        args = (message.channel_id, message.message_id, thread_key, ws, number)
        await self._write(lambda conn: conn.execute(sql.LINK_QUESTION, *args))

    async def add_answer(self, new: NewAnswer) -> Answer:
        ws = await self._workspace_id(new.workspace)
        channel = new.message.channel_id if new.message else None
        message_id = new.message.message_id if new.message else None

        async def insert(conn: Any) -> Row:
            number = await conn.fetchval(sql.NEXT_NUMBER, ws, PostKind.ANSWER.value)
            row: Row | None = await conn.fetchrow(
                sql.INSERT_ANSWER, ws, number, new.question_number, new.author_id,
                new.author_name, new.text, to_ms(new.created_at), channel, message_id,
            )  # fmt: skip
            if row is None:
                raise _NothingInserted
            return row

        try:
            row: Row | None = await self._write(insert)
        except _NothingInserted:  # the same message again: the answer it already made
            row = await self._fetchrow(sql.ANSWER_BY_MESSAGE, ws, channel, message_id)
        if row is None:
            raise NotFound("That question is no longer open for answers.")
        return answer_from_row(row, new.workspace)

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        ws = await self._workspace_id(workspace)
        args = (message.channel_id, message.message_id, ws, number)
        await self._write(lambda conn: conn.execute(sql.LINK_ANSWER, *args))

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool:
        ws = await self._workspace_id(workspace)
        args = (text, ws, post_id.kind.value, post_id.number)
        status = await self._write(lambda conn: conn.execute(sql.EDIT_POST, *args))
        return rowcount(status) > 0

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        ws = await self._workspace_id(workspace)
        args = (ws, post_id.kind.value, post_id.number)
        status = await self._write(lambda conn: conn.execute(sql.REMOVE_POST, *args))
        return rowcount(status) > 0

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
        return await self._one_statement_vote(workspace, post_id, voter_id, emoji, weight, at)

    async def remove_vote(
        self, workspace: WorkspaceRef, post_id: PostId, *, voter_id: str, emoji: str
    ) -> VoteTally:
        return await self._one_statement_vote(workspace, post_id, voter_id, emoji, None, None)

    async def _one_statement_vote(
        self, workspace: WorkspaceRef, post_id: PostId, voter: str, emoji: str,
        weight: int | None, at: datetime | None,
    ) -> VoteTally:  # fmt: skip
        """Through the batcher (storage/postgres_votes.py): concurrent votes share one statement
        and one commit, and a refused one fails alone."""
        ws = await self._workspace_id(workspace)
        at_ms = None if at is None else to_ms(at)
        kind = post_id.kind.value
        return await self._votes.vote(
            VoteEvent(ws, kind, post_id.number, voter, emoji, weight, at_ms)
        )

    async def _single_vote(self, event: VoteEvent) -> VoteTally:
        """One event in its own transaction (qabot_vote, migration 0005), retried on conflict."""
        row = await self._write(lambda conn: conn.fetchrow(sql.VOTE, *event))
        assert row is not None
        return VoteTally(row["o_ups"], row["o_downs"], changed=row["o_changed"])

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        return await self._vote(workspace, post_id, sql.CLEAR_VOTES, (emoji,))

    async def _vote(
        self, workspace: WorkspaceRef, post_id: PostId, statement: str, args: tuple[Any, ...]
    ) -> VoteTally:
        """Change a post's vote rows and recount it, holding the post's row lock throughout."""
        ws = await self._workspace_id(workspace)

        async def vote(conn: Any) -> VoteTally:
            post = await conn.fetchval(sql.LOCK_LIVE_POST, ws, post_id.kind.value, post_id.number)
            if post is None:
                return VoteTally(0, 0, changed=False)
            changed = rowcount(await conn.execute(statement, post, *args)) > 0
            row = await conn.fetchrow(sql.RETALLY_POST, post)
            return VoteTally(row["ups"], row["downs"], changed=changed)

        return await self._write(vote)

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None:
        ws = await self._workspace_id(workspace)
        await self._write(lambda conn: conn.execute(sql.SET_ACCEPTED, ws, question, answer))

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        ws = None if workspace is None else await self._workspace_id(workspace)

        async def recount(conn: Any) -> int:
            await conn.execute(sql.LOCK_POSTS, ws)
            return rowcount(await conn.execute(sql.RECOUNT, ws))

        return await self._write(recount)

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        ws = await self._workspace_id(workspace)
        # One statement, atomic by itself, shared with the other claims waiting (no BEGIN and
        # COMMIT round trips: the first vote on every hot answer claims it).
        return await self._claims.claim((ws, job, period, owner, to_ms(at)))

    # Reads ------------------------------------------------------------------------------------

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
        makes one; storage/postgres_lookups.py)."""
        ws = await self._known_workspace(workspace)
        if ws == 0:
            return None
        if isinstance(target, PostId):
            return await self._lookups.get((ws, target.kind.value, target.number))
        return await self._by_message.get((ws, target.channel_id, target.message_id))

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None:
        ws = await self._known_workspace(workspace)
        row = await self._fetchrow(sql.POST_BY_THREAD, ws, thread_key)
        return None if row is None else question_from_row(row, workspace)

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        statement, args = sql.top_answers(
            ws=await self._known_workspace(workspace),
            channel=None if query.question is not None else query.channel_id,
            since=None if since is None else to_ms(since),
            tag=query.tag, question=query.question, limit=query.limit,
        )  # fmt: skip
        # A tag's share of a channel is what per-call planning gets right (a rare tag is read
        # through its questions, a common one in ranking order): those keep the main pool.
        pool = self._pool if query.tag is not None else self._ranking or self._pool
        async with self._guard():
            rows = await pool.fetch(statement, *args)
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
        ws = await self._known_workspace(workspace)
        hits = []
        for row in await self._fetch(sql.SEARCH, " ".join(words), ws, limit):
            question = question_from_row(row, workspace, prefix="q_")
            post = question if row["kind"] == PostKind.QUESTION else answer_from_row(row, workspace)
            hits.append(SearchHit(post, question))
        return hits
