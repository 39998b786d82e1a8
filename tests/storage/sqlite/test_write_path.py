"""The SQLite store's fast paths: group commit for votes, and /top from a covering index."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.domain import TopQuery, UserRef, Window
from bot.service import QAService
from bot.settings import Settings
from bot.voting import wilson_lower_bound
from storage.sqlite import SqliteStore
from storage.sqlite import sql as sqlite_sql
from storage.sqlite.checkpoint import REWIND_WAIT_S, Checkpointer
from storage.sqlite.writer import SqliteWriter
from tests.storage.builders import SLACK, a, answer, ask, unvote, vote


async def _store(tmp_path: Path) -> SqliteStore:
    return await SqliteStore.open(tmp_path / "qabot.db")


async def test_concurrent_votes_share_transactions(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        await ask(store)
        await answer(store, 1)
        commits_before = store._writer.commits
        await asyncio.gather(*(vote(store, a(1), f"U{i}") for i in range(200)))
        commits = store._writer.commits - commits_before
        found = await store.get_post(SLACK, a(1))
    finally:
        await store.close()
    assert found is not None and found.ups == 200
    assert 1 <= commits < 20, f"200 concurrent votes took {commits} commits"


async def test_voters_whose_vote_changed_nothing_stay_in_step_with_the_others(
    tmp_path: Path,
) -> None:
    """A vote that changes nothing (a redelivery) asks whether its voter opted out. Read on the
    loop, the voters' next votes still share one commit; read on the session's thread, each
    came back on its own and the burst's last round split into dozens of commits."""
    store = await _store(tmp_path)
    service = QAService(store=store, settings=Settings())
    try:
        await ask(store)
        await answer(store, 1)
        await answer(store, 1, "A second answer")

        async def voter(user: UserRef) -> None:
            await service.react(voter=user, target=a(1), emoji="👍")
            await service.react(voter=user, target=a(1), emoji="👍")  # redelivered
            await service.react(voter=user, target=a(2), emoji="👍")

        commits_before = store._writer.commits
        await asyncio.gather(*(voter(UserRef(SLACK, f"U{i}")) for i in range(100)))
        commits = store._writer.commits - commits_before
        first, second = await store.get_post(SLACK, a(1)), await store.get_post(SLACK, a(2))
    finally:
        await store.close()
    assert first is not None and second is not None and (first.ups, second.ups) == (100, 100)
    assert commits <= 4, f"three rounds of 100 votes took {commits} commits"


async def test_a_vote_is_on_disk_when_the_call_returns(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        await ask(store)
        await answer(store, 1)
        tally = await vote(store, a(1), "U_VOTER")
        other = sqlite3.connect(tmp_path / "qabot.db")  # another process's view of the file
        rows = other.execute("SELECT voter_id FROM votes").fetchall()
        ups = other.execute("SELECT ups FROM posts WHERE kind = 'A'").fetchone()
        other.close()
    finally:
        await store.close()
    assert tally.changed and rows == [("U_VOTER",)] and ups == (1,)


async def test_votes_queued_before_close_are_all_committed(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    await ask(store)
    await answer(store, 1)
    pending = [asyncio.ensure_future(vote(store, a(1), f"U{i}")) for i in range(50)]
    pending.append(asyncio.ensure_future(unvote(store, a(1), "U0")))
    await asyncio.sleep(0)
    await asyncio.gather(*pending)
    await store.close()
    reopened = await _store(tmp_path)
    try:
        found = await reopened.get_post(SLACK, a(1))
    finally:
        await reopened.close()
    assert found is not None and found.ups == 49


async def test_an_op_failing_halfway_leaves_nothing_and_its_batch_mates_commit(
    tmp_path: Path,
) -> None:
    store = await _store(tmp_path)
    writer = store._writer

    def insert(value: int, *, then_fail: bool = False) -> Callable[[sqlite3.Connection], int]:
        def op(db: sqlite3.Connection) -> int:
            db.execute("INSERT INTO scratch VALUES (?)", (value,))
            if then_fail:  # the first statement went in: only a rollback can take it out
                raise ValueError("half done")
            db.execute("INSERT INTO scratch VALUES (?)", (value * 10,))
            return value

        return op

    try:
        await writer.run(lambda db: db.execute("CREATE TABLE scratch (x INTEGER)"))
        commits_before = writer.commits
        results = await asyncio.gather(
            writer.run(insert(1)), writer.run(insert(2, then_fail=True)), writer.run(insert(3)),
            return_exceptions=True,
        )  # fmt: skip
        rows = await writer.run(lambda db: db.execute("SELECT x FROM scratch").fetchall())
    finally:
        await store.close()
    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], ValueError)
    assert sorted(x for (x,) in rows) == [1, 3, 10, 30]
    assert writer.commits - commits_before <= 2  # still one batch, replayed once


async def test_a_long_vote_burst_is_checkpointed_and_keeps_the_wal_small(tmp_path: Path) -> None:
    # The writer's connection never checkpoints by itself (its thread does): without it the WAL
    # would hold every page of these 6,000 votes (3 MiB here), and every read would search it.
    store = await _store(tmp_path)
    try:
        await ask(store)
        await answer(store, 1)
        for burst in range(60):
            await asyncio.gather(*(vote(store, a(1), f"U{burst}-{i}") for i in range(100)))
            await asyncio.sleep(0.005)  # people pause; a checkpoint finishes meanwhile
        found = await store.get_post(SLACK, a(1))
        wal_bytes = (tmp_path / "qabot.db-wal").stat().st_size
    finally:
        await store.close()
    assert found is not None and found.ups == 6000
    assert wal_bytes < 1024 * 1024


async def test_top_of_a_channel_this_week_reads_only_the_covering_index(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    await store.close()
    statement = sqlite_sql.top_answers(channel=True, since=True, tag=False, question=False)
    params = {"ws": 1, "channel": "C1", "since": 0, "limit": 10}
    with sqlite3.connect(tmp_path / "qabot.db") as db:
        db.create_function("wilson", 2, wilson_lower_bound)
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params)]
    assert any(
        step.startswith("SEARCH a USING COVERING INDEX posts_rank")
        and "channel_id=? AND created_ms>?" in step
        for step in plan
    ), plan
    assert not [step for step in plan if step.startswith("SCAN")], plan


async def _scratch_writer(tmp_path: Path, *, rewind_frames: int) -> SqliteWriter:
    writer = SqliteWriter(
        str(tmp_path / "w.db"), pragmas=sqlite_sql.PRAGMAS, rewind_frames=rewind_frames
    )
    await writer.start()
    await writer.run(lambda db: db.execute("CREATE TABLE scratch (x INTEGER, pad BLOB)"))
    return writer


def _insert(i: int) -> Callable[[sqlite3.Connection], None]:
    def op(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO scratch VALUES (?, zeroblob(2000))", (i,))

    return op


async def test_a_burst_without_pauses_keeps_the_wal_bounded(tmp_path: Path) -> None:
    # Commits that never pause leave no moment in which a checkpoint copies every frame back,
    # and only then can the WAL start over: without the writer's rewinds it would hold every
    # page of the burst.
    writer = await _scratch_writer(tmp_path, rewind_frames=64)
    wal = tmp_path / "w.db-wal"
    largest = 0
    try:
        for burst in range(80):
            await asyncio.gather(*(writer.run(_insert(burst * 50 + i)) for i in range(50)))
            largest = max(largest, wal.stat().st_size)
        count = await writer.read(lambda db: db.execute("SELECT count(*) FROM scratch").fetchone())
    finally:
        await writer.close()
    assert count[0] == 4000
    # Unbounded, the WAL would hold every page of the burst (over 8 MiB). How far past
    # rewind_frames it gets depends on when the checkpoint thread gets the GIL to report what
    # it saw, so the bound is half of that, not a multiple of rewind_frames.
    assert largest < 4 * 1024 * 1024, f"the WAL grew to {largest} bytes"


async def test_while_another_process_writes_too_a_slow_checkpoint_holds_writes_back_briefly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Frames another process wrote (an import beside the running bot) can take longer to copy
    # back than a live vote may wait: the writer waits REWIND_WAIT_S for a rewind, then goes on.
    copy_back = Checkpointer._checkpoint

    def slow_copy_back(db: sqlite3.Connection) -> tuple[int, int]:
        time.sleep(0.4)
        return copy_back(db)

    monkeypatch.setattr(Checkpointer, "_checkpoint", staticmethod(slow_copy_back))
    writer = await _scratch_writer(tmp_path, rewind_frames=64)
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    loop = asyncio.get_running_loop()
    waits = []
    try:
        started = loop.time()
        while loop.time() - started < 1.5:  # past three checkpoints, each wanting a rewind
            other.execute("INSERT INTO scratch VALUES (-1, zeroblob(2000))")
            sent = loop.time()
            await asyncio.gather(*(writer.run(_insert(i)) for i in range(20)))
            waits.append(loop.time() - sent)
        count = await writer.read(lambda db: db.execute("SELECT count(*) FROM scratch").fetchone())
    finally:
        other.close()
        await writer.close()
    assert count[0] == 21 * len(waits)
    assert max(waits) < REWIND_WAIT_S + 0.1, f"a write waited {max(waits):.3f} s"


async def test_a_reader_holding_an_old_snapshot_delays_the_rewind_but_no_write(
    tmp_path: Path,
) -> None:
    writer = await _scratch_writer(tmp_path, rewind_frames=64)
    wal = tmp_path / "w.db-wal"
    reader = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    written = 0

    async def burst() -> None:
        nonlocal written
        await asyncio.gather(*(writer.run(_insert(written + i)) for i in range(50)))
        written += 50

    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM scratch").fetchone()  # holds its snapshot
        for _ in range(10):
            await burst()
        held = wal.stat().st_size
        reader.execute("COMMIT")
        for _ in range(40):  # the next rewinds start it over and cut it back
            await burst()
            if wal.stat().st_size < held:
                break
        after = wal.stat().st_size
        count = reader.execute("SELECT count(*) FROM scratch").fetchone()
    finally:
        reader.close()
        await writer.close()
    assert count == (written,)
    assert held > 1024 * 1024  # every page written since the reader's snapshot
    assert after < held, f"the WAL stayed at {after} bytes"


_CHANNEL_TOP = TopQuery(channel_id="C1", window=Window.ALL, limit=10)


@pytest.fixture
async def counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SqliteStore, list[str]]]:
    """A store, and each statement it reads on the session's thread (not on the loop)."""
    store = await _store(tmp_path)
    reads: list[str] = []
    session_read = store._session.read

    async def counted_read(workspace: Any, query: str, params: Any) -> Any:
        reads.append(query)
        return await session_read(workspace, query, params)

    monkeypatch.setattr(store._session, "read", counted_read)
    yield store, reads
    await store.close()


async def test_a_top_that_runs_past_its_time_on_the_loop_is_read_on_the_thread_alike(
    counted: tuple[SqliteStore, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, session_reads = counted
    await ask(store)
    for n in range(1, 201):
        await answer(store, 1, f"Answer number {n}")
    for n in range(1, 21):
        await asyncio.gather(*(vote(store, a(n), f"U{v}") for v in range(n)))
    on_loop = await store.top_answers(SLACK, _CHANNEL_TOP, since=None)
    assert session_reads == []
    monkeypatch.setattr("storage.sqlite.ranking.TOP_ON_LOOP_S", 0.0)
    on_thread = await store.top_answers(SLACK, _CHANNEL_TOP, since=None)
    assert len(session_reads) == 1
    assert [r.answer.number for r in on_loop] == list(range(20, 10, -1))
    assert on_thread == on_loop


T = TypeVar("T")


async def _while_writes_wait(store: SqliteStore, read: Callable[[], Awaitable[T]]) -> T:
    """`read` run while an op waits in the writer's queue, not yet run."""
    queued = asyncio.ensure_future(store._writer.run(lambda db: None, write=False))
    await asyncio.sleep(0)
    assert store._writer.busy
    found = await read()
    await queued
    return found


async def test_a_top_asked_while_writes_wait_is_read_on_the_thread(
    counted: tuple[SqliteStore, list[str]],
) -> None:
    store, session_reads = counted
    await ask(store)
    await answer(store, 1)
    while_busy = await _while_writes_wait(
        store, lambda: store.top_answers(SLACK, _CHANNEL_TOP, since=None)
    )
    when_idle = await store.top_answers(SLACK, _CHANNEL_TOP, since=None)
    assert len(session_reads) == 1
    assert while_busy == when_idle and [r.answer.number for r in when_idle] == [1]


async def test_a_question_page_that_runs_past_its_time_on_the_loop_is_read_on_the_thread_alike(
    counted: tuple[SqliteStore, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, session_reads = counted
    await ask(store)
    for n in range(1, 21):
        await answer(store, 1, f"Answer number {n}")
        await asyncio.gather(*(vote(store, a(n), f"U{v}") for v in range(n)))
    on_loop = await store.web_thread(SLACK, 1, answers=200, similar=5)
    assert session_reads == []
    monkeypatch.setattr("storage.sqlite.web.PAGE_ON_LOOP_S", 0.0)
    on_thread = await store.web_thread(SLACK, 1, answers=200, similar=5)
    assert len(session_reads) == 1
    assert on_loop is not None and on_thread == on_loop
    assert [r.answer.number for r in on_loop.answers] == list(range(20, 0, -1))


async def test_a_question_page_asked_while_writes_wait_is_still_read_on_the_loop(
    counted: tuple[SqliteStore, list[str]],
) -> None:
    """Unlike /top: a crawler's pages read on the thread cost the waiting votes more."""
    store, session_reads = counted
    await ask(store)
    await answer(store, 1)
    while_busy = await _while_writes_wait(
        store, lambda: store.web_thread(SLACK, 1, answers=200, similar=5)
    )
    assert session_reads == []
    assert while_busy is not None and [r.answer.number for r in while_busy.answers] == [1]
