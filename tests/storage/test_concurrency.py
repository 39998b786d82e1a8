"""Races: many tasks (and, on PostgreSQL, two OS processes) writing to one community at once.

Nothing may be counted twice or lost: final counts equal both a recount from the vote rows and
the arithmetic of tests/storage/vote_race.py, and no exception escapes any task.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.domain import MessageRef, PostId
from bot.ports import Store
from storage import open_store
from storage.migrations import migrations_for
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, a, answer, ask
from tests.storage.conftest import raw_fetch
from tests.storage.vote_race import expected_counts, expected_rows, storm

ROOT = Path(__file__).resolve().parents[2]


async def _assert_counts_match_rows(store: Store, post: PostId) -> None:
    rows = await raw_fetch(
        store,
        "SELECT v.voter_id, v.emoji FROM votes v JOIN posts p ON p.id = v.post_id"
        f" WHERE p.kind = '{post.kind.value}' AND p.number = {post.number}",
    )
    assert set(rows) == expected_rows() and len(rows) == len(expected_rows())
    found = await store.get_post(SLACK, post)
    assert found is not None
    assert (found.ups, found.downs) == expected_counts() == (10 + 50, 5)
    assert await store.recount() == 0  # the cached counts already equal a recount


async def test_fifty_concurrent_tasks_count_every_voter_once(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await storm(store, a(1))
    await _assert_counts_match_rows(store, a(1))


async def test_concurrent_posts_get_distinct_numbers_and_redeliveries_burn_none(
    store: Store,
) -> None:
    questions = await asyncio.gather(*(ask(store) for _ in range(20)))
    assert sorted(question.number for question in questions) == list(range(1, 21))
    deliveries = [MessageRef("C1", f"m{i % 10}") for i in range(20)]  # each message twice
    answers = await asyncio.gather(*(answer(store, 1, message=m) for m in deliveries))
    assert sorted({answer.number for answer in answers}) == list(range(1, 11))


async def test_two_stores_starting_together_migrate_once(fresh_url: FreshUrl) -> None:
    url = await fresh_url("postgres")
    stores = await asyncio.gather(open_store(url), open_store(url))
    try:
        versions = await raw_fetch(stores[0], "SELECT version FROM schema_migrations")
        expected = [(m.version,) for m in migrations_for("postgres")]
        assert sorted(versions) == expected  # each applied once
    finally:
        for opened in stores:
            await opened.close()


async def test_two_processes_racing_on_one_answer_count_every_voter_once(
    fresh_url: FreshUrl,
) -> None:
    url = await fresh_url("postgres")  # not migrated yet: both workers migrate at once
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pipe = asyncio.subprocess.PIPE
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.storage.vote_worker",
            url,
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
            cwd=ROOT,
            env=env,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stderr is not None
            line = await asyncio.wait_for(worker.stdout.readline(), 30)
            assert line == b"ready\n", (await worker.stderr.read()).decode()
        results = await asyncio.wait_for(
            asyncio.gather(*(worker.communicate(b"go\n") for worker in workers)), 30
        )
        for worker, (out, err) in zip(workers, results, strict=True):
            assert (worker.returncode, out) == (0, b"done\n"), err.decode()
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    store = await open_store(url, migrate=False)
    try:
        posts = await raw_fetch(store, "SELECT kind, number FROM posts ORDER BY kind")
        assert posts == [("A", 1), ("Q", 1)]  # seeded once, by whichever won the claim
        await _assert_counts_match_rows(store, a(1))
    finally:
        await store.close()
