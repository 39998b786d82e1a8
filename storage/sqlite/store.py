"""The Store on one SQLite file: the embedded default.

Connections, and what runs where:

- the *session* (storage/sqlite/session.py): one aiosqlite connection, whose statements run on
  aiosqlite's own thread so that a long one never stalls the event loop. It serves /top, search,
  the surfacing and catch-up reads, copy-store's dump and load, migrations, and the rare writes
  (questions, links, edits, removals, accepting, clearing and replacing a post's votes, the
  vote watermark, recount, forget-me and rejoining), one unit of work at a time under an asyncio
  lock, each write in its own transaction;
- the *writer* (storage/sqlite/writer.py): one plain sqlite3 connection used on the event loop's
  thread. It takes what comes in bursts with reactions and thread replies: votes, answers and
  claims, group-committed in batches, and the lookups a reaction needs, run at once between
  batches;
- the writer's *checkpointer* (storage/sqlite/checkpoint.py): a third connection that copies the
  WAL back into the database file on a worker thread.

The file is in WAL mode, so each connection reads while another writes; writes take SQLite's one
write lock in turn. Both connections share one cache of workspace row ids (WorkspaceIds). The
store itself only opens, migrates and closes; each method of the Store port is delegated to the
part that owns it (posts, votes, ranking, surfacing, reconcile; dump for copy-store).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime
from pathlib import Path

import aiosqlite

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
from bot.voting import wilson_lower_bound
from storage.migrations import migrations_for
from storage.sqlite.channels import SqliteChannels
from storage.sqlite.dump import SqliteDump
from storage.sqlite.imports import SqliteImports
from storage.sqlite.people import SqlitePeople
from storage.sqlite.posts import SqlitePosts
from storage.sqlite.ranking import SqliteRanking
from storage.sqlite.reconcile import SqliteReconcile
from storage.sqlite.session import Session
from storage.sqlite.similar_lists import SqliteSimilarLists
from storage.sqlite.sql import APPLIED_VERSIONS, CREATE_MIGRATIONS_TABLE, PRAGMAS
from storage.sqlite.surfacing import SqliteSurfacing
from storage.sqlite.votes import SqliteVotes
from storage.sqlite.web import SqliteWeb
from storage.sqlite.workspaces import WorkspaceIds
from storage.sqlite.writer import SqliteWriter
from storage.tables import TableBatch

__all__ = ["SqliteStore"]

log = logging.getLogger("qabot.storage")
# aiosqlite logs every statement with its parameters at DEBUG, anonymous askers' ids among them:
# even a DEBUG run of qabot must not write those to a log.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


def _pragmas(read_only: bool) -> tuple[str, ...]:
    return (*PRAGMAS, "PRAGMA query_only = ON") if read_only else PRAGMAS


class SqliteStore:
    # One writer process: its own memory keeps the abuse limits (bot/limits.py), and the writes
    # are never given a check.
    shares_limits = False

    def __init__(self, connection: aiosqlite.Connection, path: str, *, read_only: bool) -> None:
        workspaces = WorkspaceIds()
        self._db = connection
        self._session = session = Session(connection, workspaces, read_only=read_only)
        self._writer = writer = SqliteWriter(
            path, pragmas=_pragmas(read_only), checkpoints=not read_only,
            on_rollback=workspaces.clear,
        )  # fmt: skip
        self._posts = SqlitePosts(session, writer, workspaces)
        self._votes = SqliteVotes(session, writer, workspaces)
        self._ranking = SqliteRanking(session, writer, workspaces)
        self._surfacing = SqliteSurfacing(session, writer, workspaces)
        self._reconcile = SqliteReconcile(session)
        self._imports = SqliteImports(session, writer)
        self._dump = SqliteDump(session)
        self._people = SqlitePeople(session, writer, workspaces)
        self._web = SqliteWeb(session, writer, workspaces)
        self._similar_lists = SqliteSimilarLists(session)
        self._channels = SqliteChannels(session)

    @classmethod
    async def open(
        cls, path: str | Path, *, migrate: bool = True, read_only: bool = False
    ) -> SqliteStore:
        """Open (and by default migrate) the file; a `read_only` store's connections refuse
        every write, and it leaves the WAL's checkpoints to the process that writes."""
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            for pragma in _pragmas(read_only):
                await connection.execute(pragma)
            await connection.create_function("wilson", 2, wilson_lower_bound, deterministic=True)
            store = cls(connection, str(path), read_only=read_only)
            if migrate and not read_only:
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

    def observe_batches(self, report: BatchReport) -> None:
        self._writer.on_batch = report

    async def claim_event(self, platform: str, event_id: str, *, at: datetime) -> bool:
        return True  # one writer process: the adapter's memory of recent events suffices

    async def release_event(self, platform: str, event_id: str) -> None:
        pass

    async def migrate(self) -> int:
        """Apply every schema file newer than the database; return how many ran."""
        async with self._session.transaction() as db:
            await db.execute(CREATE_MIGRATIONS_TABLE)
            rows = await db.execute_fetchall(APPLIED_VERSIONS)
            applied = {row[0] for row in rows}
        pending = [m for m in migrations_for("sqlite") if m.version not in applied]
        for migration in pending:
            async with self._session.guard():
                # executescript commits on its own, so the version row rides in the same script.
                await self._db.executescript(
                    f"BEGIN IMMEDIATE;\n{migration.sql}\n"
                    f"INSERT INTO schema_migrations (version, name) "
                    f"VALUES ({migration.version}, '{migration.name}');\nCOMMIT;"
                )
            log.info("applied schema migration %04d_%s", migration.version, migration.name)
        return len(pending)

    # Posts ------------------------------------------------------------------------------------

    async def add_question(self, new: NewQuestion, *, check: AskCheck | None = None) -> Question:
        return await self._posts.add_question(new)

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
            workspace, post_id, voter_id=voter_id, emoji=emoji, weight=weight, at=at
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
        return await self._votes.remove_vote(workspace, post_id, voter_id=voter_id, emoji=emoji)

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
        return nullcontext()

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
