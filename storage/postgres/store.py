"""The Store on PostgreSQL through asyncpg pools: many bot processes, one database.

Every write is one READ COMMITTED transaction that first locks the row it is about (the post a
vote is on, the workspace's number counter), so racing processes queue on that row and each later
statement sees what the others committed. The plumbing (pool, retries, error mapping,
migrations, workspace ids) is storage/postgres/database.py, shared by the parts the store is
composed of; the store opens the pools, builds the parts and delegates each method of the Store
port to the part that owns it (posts, votes, ranking, surfacing, reconcile; dump for copy-store).

Three pools: the main one for everything, a small one whose connections plan /top's statement
once (storage/postgres/ranking.py), and a small one for the web view's own reads
(storage/postgres/web.py), so that a crawler never queues ahead of the votes for a connection.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bot.domain import (
    Answer,
    MessageRef,
    Post,
    PostId,
    Question,
    RankedAnswer,
    SearchHit,
    TopQuery,
    VoteSubject,
    WorkspaceRef,
)
from bot.errors import StoreUnavailable
from bot.ports import (
    AskCheck,
    BatchReport,
    ImportedThread,
    ImportWrite,
    NewAnswer,
    NewQuestion,
    SimilarCandidate,
    VoteCheck,
    VoteRow,
    VoteTally,
    WebFilter,
    WebNames,
    WebThread,
)
from bot.replies import Leader, PersonalData
from bot.search_query import SearchQuery
from storage.postgres.channels import PostgresChannels
from storage.postgres.database import FAILURES, UNAVAILABLE, Database, keep_session
from storage.postgres.dump import PostgresDump
from storage.postgres.event_claims import EventClaims
from storage.postgres.imports import PostgresImports
from storage.postgres.limits import LimitPruning
from storage.postgres.people import PostgresPeople
from storage.postgres.posts import PostgresPosts
from storage.postgres.ranking import PostgresRanking
from storage.postgres.reconcile import PostgresReconcile
from storage.postgres.similar_lists import PostgresSimilarLists
from storage.postgres.surfacing import PostgresSurfacing
from storage.postgres.votes import PostgresVotes
from storage.postgres.web import PostgresWeb
from storage.rows import to_ms
from storage.tables import TableBatch

__all__ = ["PostgresStore"]

log = logging.getLogger("qabot.storage")

_RANKING_POOL_SIZE = 2
_WEB_POOL_SIZE = 2
# Every pool: one connection from the start, no reset round trip (keep_session), and connections
# kept however long they idle: asyncpg otherwise re-arms an idle timer (loop.call_later) at
# every release, which is most of a release's cost, and a statement is a release.
_POOLED: dict[str, Any] = {
    "min_size": 1, "reset": keep_session, "max_inactive_connection_lifetime": 0,
}  # fmt: skip


class PostgresStore:
    # Many processes may share the database: the abuse limits are kept in it, with the writes
    # (storage/postgres/limits.py).
    shares_limits = True

    def __init__(self, pool: Any, ranking: Any = None, web: Any = None) -> None:
        self._pool = pool
        self._ranking_pool = ranking
        self._web_pool = web
        self._db = db = Database(pool)
        self._limits = LimitPruning(pool)
        self._posts = PostgresPosts(db, self._limits)
        self._votes = PostgresVotes(db, self._limits)
        self._events = EventClaims(pool)
        self._ranking = PostgresRanking(db, ranking)
        self._surfacing = PostgresSurfacing(db)
        self._reconcile = PostgresReconcile(db)
        self._imports = PostgresImports(db)
        self._dump = PostgresDump(db)
        self._people = PostgresPeople(db)
        self._web = PostgresWeb(db, web)
        self._similar_lists = PostgresSimilarLists(db)
        self._channels = PostgresChannels(db, web)

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        migrate: bool = True,
        read_only: bool = False,
        pool_size: int = 10,
        search_language: str | None = None,
    ) -> PostgresStore:
        """Open the pools, migrate (by default) and, given `search_language` (a text search
        configuration), build the search index in it unless it is built so already. A
        `read_only` store is neither migrated nor written: the server refuses its writes."""
        pools: list[Any] = []
        server = {"default_transaction_read_only": "on"} if read_only else {}
        ranking = {**server, "plan_cache_mode": "force_generic_plan"}
        try:
            pools.append(
                await asyncpg.create_pool(
                    url, max_size=pool_size, **_POOLED, server_settings=server
                )
            )
            pools.append(
                await asyncpg.create_pool(
                    url, max_size=_RANKING_POOL_SIZE, **_POOLED, server_settings=ranking
                )
            )
            pools.append(
                await asyncpg.create_pool(
                    url, max_size=_WEB_POOL_SIZE, **_POOLED, server_settings=server
                )
            )
        except (*FAILURES, ValueError) as error:
            log.error("cannot connect to PostgreSQL: %r", error)
            for pool in pools:
                await pool.close()
            raise StoreUnavailable(UNAVAILABLE) from error
        store = cls(*pools)
        if migrate and not read_only:
            try:
                await store.migrate()
                if search_language is not None:
                    await store._ranking.use_search_language(search_language)
            except BaseException:
                await store.close()
                raise
        return store

    async def close(self) -> None:
        """Let queued votes, claims and lookups finish, then close the pools."""
        await self._votes.close()
        await self._events.close()
        await self._posts.close()
        await self._limits.close()
        for pool in (self._ranking_pool, self._web_pool):
            if pool is not None:
                await pool.close()
        await self._pool.close()

    def observe_batches(self, report: BatchReport) -> None:
        self._votes.observe_batches(report)

    async def claim_event(self, platform: str, event_id: str, *, at: datetime) -> bool:
        return await self._events.claim(platform, event_id, to_ms(at))

    async def release_event(self, platform: str, event_id: str) -> None:
        await self._events.release(platform, event_id)

    async def migrate(self) -> int:
        """Apply every schema file newer than the database; return how many ran."""
        return await self._db.migrate()

    # Posts ------------------------------------------------------------------------------------

    async def add_question(self, new: NewQuestion, *, check: AskCheck | None = None) -> Question:
        return await self._posts.add_question(new, check=check)

    async def link_question(
        self, workspace: WorkspaceRef, number: int, *, message: MessageRef, thread_key: str | None
    ) -> None:
        await self._posts.link_question(workspace, number, message=message, thread_key=thread_key)

    async def add_answer(self, new: NewAnswer) -> Answer:
        return await self._posts.add_answer(new)

    async def link_answer(self, workspace: WorkspaceRef, number: int, message: MessageRef) -> None:
        await self._posts.link_answer(workspace, number, message)

    async def edit_post(self, workspace: WorkspaceRef, post_id: PostId, text: str) -> bool:
        return await self._posts.edit_post(workspace, post_id, text)

    async def remove_post(self, workspace: WorkspaceRef, post_id: PostId) -> bool:
        return await self._posts.remove_post(workspace, post_id)

    async def set_accepted(
        self, workspace: WorkspaceRef, question: int, answer: int | None
    ) -> None:
        await self._posts.set_accepted(workspace, question, answer)

    async def get_post(self, workspace: WorkspaceRef, post_id: PostId) -> Post | None:
        return await self._posts.get_post(workspace, post_id)

    async def get_post_by_message(
        self, workspace: WorkspaceRef, message: MessageRef
    ) -> Post | None:
        return await self._posts.get_post_by_message(workspace, message)

    async def get_question_by_thread(
        self, workspace: WorkspaceRef, thread_key: str
    ) -> Question | None:
        return await self._posts.get_question_by_thread(workspace, thread_key)

    # Votes ------------------------------------------------------------------------------------

    async def vote_subject(
        self, workspace: WorkspaceRef, target: PostId | MessageRef
    ) -> VoteSubject | None:
        return await self._posts.vote_subject(workspace, target)

    async def add_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        weight: int,
        at: datetime,
        check: VoteCheck | None = None,
    ) -> VoteTally:
        return await self._votes.add_vote(
            workspace, post_id, voter_id=voter_id, emoji=emoji, weight=weight, at=at, check=check
        )

    async def remove_vote(
        self,
        workspace: WorkspaceRef,
        post_id: PostId,
        *,
        voter_id: str,
        emoji: str,
        check: VoteCheck | None = None,
    ) -> VoteTally:
        return await self._votes.remove_vote(
            workspace, post_id, voter_id=voter_id, emoji=emoji, check=check
        )

    async def clear_votes(
        self, workspace: WorkspaceRef, post_id: PostId, *, emoji: str | None
    ) -> VoteTally:
        return await self._votes.clear_votes(workspace, post_id, emoji=emoji)

    async def recount(self, workspace: WorkspaceRef | None = None) -> int:
        return await self._votes.recount(workspace)

    async def claim(
        self, workspace: WorkspaceRef, job: str, *, period: str, owner: str, at: datetime
    ) -> bool:
        return await self._votes.claim(workspace, job, period=period, owner=owner, at=at)

    # Ranking and search -----------------------------------------------------------------------

    async def top_answers(
        self, workspace: WorkspaceRef, query: TopQuery, *, since: datetime | None
    ) -> Sequence[RankedAnswer]:
        return await self._ranking.top_answers(workspace, query, since=since)

    async def search(
        self, workspace: WorkspaceRef, query: SearchQuery, *, limit: int
    ) -> Sequence[SearchHit]:
        return await self._ranking.search(workspace, query, limit=limit)

    # Catch-up after downtime ------------------------------------------------------------------

    async def recent_questions(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> Sequence[Question]:
        return await self._reconcile.recent_questions(workspace, since=since, limit=limit)

    async def answers_to(self, workspace: WorkspaceRef, question: int) -> Sequence[Answer]:
        return await self._reconcile.answers_to(workspace, question)

    async def vote_watermark(self) -> int:
        return await self._reconcile.vote_watermark()

    async def held_votes(
        self, workspace: WorkspaceRef, post_ids: Sequence[PostId]
    ) -> Mapping[PostId, Mapping[str, int]]:
        return await self._reconcile.held_votes(workspace, post_ids)

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
        return await self._reconcile.replace_votes(
            workspace, post_id, votes, emoji=emoji, since=since, at=at
        )

    # Surfacing and forget-me ------------------------------------------------------------------

    async def leaderboard(
        self, workspace: WorkspaceRef, *, since: datetime | None, limit: int
    ) -> Sequence[Leader]:
        return await self._surfacing.leaderboard(workspace, since=since, limit=limit)

    async def unanswered(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        channel_id: str,
        limit: int,
        only_channel: bool = False,
    ) -> Sequence[Question]:
        return await self._surfacing.unanswered(
            workspace, since=since, channel_id=channel_id, limit=limit, only_channel=only_channel
        )

    async def similar_candidates(
        self, workspace: WorkspaceRef, stems: Sequence[str], *, channel_id: str, limit: int
    ) -> Sequence[Question]:
        return await self._surfacing.similar_candidates(
            workspace, stems, channel_id=channel_id, limit=limit
        )

    async def known_tags(
        self, workspace: WorkspaceRef, *, prefix: str, limit: int
    ) -> Sequence[str]:
        return await self._surfacing.known_tags(workspace, prefix=prefix, limit=limit)

    async def personal_data(self, workspace: WorkspaceRef, user_id: str) -> PersonalData:
        return await self._surfacing.personal_data(workspace, user_id)

    async def forget_person(
        self, workspace: WorkspaceRef, user_id: str, *, replacement_id: str, replacement_name: str
    ) -> tuple[int, int]:
        return await self._surfacing.forget_person(
            workspace, user_id, replacement_id=replacement_id, replacement_name=replacement_name
        )

    async def rejoin(self, workspace: WorkspaceRef, user_id: str) -> bool:
        return await self._surfacing.rejoin(workspace, user_id)

    async def opted_out(self, workspace: WorkspaceRef, user_id: str) -> bool:
        return await self._surfacing.opted_out(workspace, user_id)

    # Headlines ----------------------------------------------------------------------------------

    async def set_headline(
        self, workspace: WorkspaceRef, user_id: str, headline: str | None
    ) -> bool:
        return await self._people.set_headline(workspace, user_id, headline)

    async def headlines(
        self, workspace: WorkspaceRef, user_ids: Collection[str]
    ) -> Mapping[str, str]:
        return await self._people.headlines(workspace, user_ids)

    async def web_question(self, workspace: WorkspaceRef, number: int) -> Question | None:
        return await self._web.web_question(workspace, number)

    async def web_thread(
        self, workspace: WorkspaceRef, number: int, *, answers: int, similar: int
    ) -> WebThread | None:
        return await self._web.web_thread(workspace, number, answers=answers, similar=similar)

    async def web_questions(
        self, workspace: WorkspaceRef, *, where: WebFilter, since: datetime | None, limit: int
    ) -> Sequence[Question]:
        return await self._web.web_questions(workspace, where=where, since=since, limit=limit)

    async def web_sitemap(
        self, workspace: WorkspaceRef, *, channels: Collection[str] | None, limit: int
    ) -> Sequence[tuple[Question, datetime]]:
        return await self._web.web_sitemap(workspace, channels=channels, limit=limit)

    def web_reads(self) -> AbstractAsyncContextManager[None]:
        return self._web.web_reads()

    async def web_similar(
        self,
        workspace: WorkspaceRef,
        words: Sequence[str],
        *,
        channels: Collection[str] | None,
        limit: int,
    ) -> Sequence[SimilarCandidate]:
        return await self._web.web_similar(workspace, words, channels=channels, limit=limit)

    async def keep_similar(
        self,
        workspace: WorkspaceRef,
        number: int,
        similar: Sequence[tuple[int, float]],
        *,
        made_for: str,
        keep: int,
    ) -> None:
        await self._similar_lists.keep_similar(
            workspace, number, similar, made_for=made_for, keep=keep
        )

    async def set_channel_name(self, workspace: WorkspaceRef, channel_id: str, name: str) -> bool:
        return await self._channels.set_channel_name(workspace, channel_id, name)

    async def channel_names(
        self, workspace: WorkspaceRef, channel_ids: Collection[str]
    ) -> Mapping[str, str]:
        return await self._channels.channel_names(workspace, channel_ids)

    async def set_web_hidden(self, workspace: WorkspaceRef, number: int, hidden: bool) -> bool:
        return await self._web.set_web_hidden(workspace, number, hidden)

    async def web_hidden(self, workspace: WorkspaceRef) -> Collection[int]:
        return await self._web.web_hidden(workspace)

    async def set_web_names(self, workspace: WorkspaceRef, user_id: str, shown: bool) -> None:
        await self._web.set_web_names(workspace, user_id, shown)

    async def web_names(self, workspace: WorkspaceRef, user_ids: Collection[str]) -> WebNames:
        return await self._web.web_names(workspace, user_ids)

    # Import of a community's history ---------------------------------------------------------

    async def import_threads(
        self, workspace: WorkspaceRef, threads: Sequence[ImportedThread], *, at: datetime
    ) -> ImportWrite:
        return await self._imports.import_threads(workspace, threads, at=at)

    async def imported_threads(self, workspace: WorkspaceRef, channel_id: str) -> Collection[str]:
        return await self._imports.imported_threads(workspace, channel_id)

    # Copy-store -------------------------------------------------------------------------------

    async def count_rows(self) -> Mapping[str, int]:
        return await self._dump.count_rows()

    def dump_rows(self, *, batch_size: int) -> AsyncGenerator[TableBatch, None]:
        return self._dump.dump_rows(batch_size=batch_size)

    async def load_rows(self, batches: AsyncIterable[TableBatch], *, replace: bool) -> None:
        await self._dump.load_rows(batches, replace=replace)
