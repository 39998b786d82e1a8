"""The SQLite store's fast paths: group commit for votes, and /top from a covering index."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.voting import wilson_lower_bound
from storage import sqlite_sql
from storage.sqlite_store import SqliteStore
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
