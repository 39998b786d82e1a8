"""The vote batch checks and counts its vote limits once per batch (migration 0017): each event
still decides exactly as if it had been written alone, one after another, and a batch that waits
for a voter's lock sees what the holder counted. Forget-me deletes the person's limit rows."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.domain import WorkspaceRef
from bot.ports import AskCheck, NewQuestion, VoteCheck
from storage import open_store
from storage.postgres import PostgresStore
from storage.postgres.sql import VOTE
from storage.postgres.vote_batch import VOTE_BATCH
from tests.conftest import FreshUrl
from tests.storage.builders import DISCORD, NOW, SLACK, a, answer, ask, vote
from tests.storage.conftest import raw_fetch

pytest.importorskip("asyncpg")

NOW_MS = int(NOW.timestamp() * 1000)
POSTS = 3

# An event as qabot_vote_batch takes it, without the workspace: kind, number, voter, emoji,
# weight, ms, now, per minute, per post, cooldown.
Event = tuple[str, int, str, str, int | None, int | None, int, int, int, int]


@pytest.fixture
async def store(fresh_url: FreshUrl) -> AsyncIterator[PostgresStore]:
    """Two workspaces with the same posts: Q1 and A1..A3 each."""
    opened = await open_store(await fresh_url("postgres"))
    assert isinstance(opened, PostgresStore)
    for ws in (SLACK, DISCORD):
        await ask(opened, ws=ws)
        for _ in range(POSTS):
            await answer(opened, 1, ws=ws)
    yield opened
    await opened.close()


async def _ws(store: PostgresStore, workspace: WorkspaceRef) -> int:
    return await store._db.workspace_id(workspace)


# This connection's scans of the table so far (in its transaction, and not yet reported).
SCANS = """SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables
           WHERE relid = 'limit_vote_changes'::regclass"""


def _script(rng: random.Random, count: int) -> list[Event]:
    """Votes and removals by three people on three answers, a few seconds apart and sometimes
    out of order, under limits small enough to refuse often."""
    per_minute, per_post = rng.choice([(3, 2), (4, 0), (0, 2), (2, 5)])
    cooldown = rng.choice([30_000, 60_000, 90_000])
    events: list[Event] = []
    for _ in range(count):
        emoji = rng.choice(["👍", "👎"])
        weight = None if rng.random() < 0.3 else (1 if emoji == "👍" else -1)
        now = NOW_MS + rng.randrange(0, 150_000, 5_000)
        ms = None if weight is None else now
        voter, number = rng.choice(["U1", "U2", "U3"]), rng.randint(1, POSTS)
        events.append(("A", number, voter, emoji, weight, ms, now, per_minute, per_post, cooldown))
    return sorted(events, key=lambda e: e[6] + rng.randrange(-10_000, 10_000))


async def _one_by_one(store: PostgresStore, ws: int, events: list[Event]) -> list[tuple[Any, ...]]:
    said = []
    for event in events:
        row = await store._pool.fetchrow(VOTE, ws, *event)
        said.append((row["o_ups"], row["o_downs"], row["o_changed"], row["o_net"],
                     row["o_limit"], row["o_wait"]))  # fmt: skip
    return said


async def _batch(conn: Any, ws: int, events: list[Event]) -> list[tuple[Any, ...]]:
    columns = [list(column) for column in zip(*((ws, *event) for event in events), strict=True)]
    rows = await conn.fetch(VOTE_BATCH, *columns)
    assert all(row["b_state"] is None for row in rows)
    return [(r["b_ups"], r["b_downs"], r["b_changed"], r["b_net"], r["b_limit"], r["b_wait"])
            for r in rows]  # fmt: skip


async def _limit_rows(store: PostgresStore, ws: int) -> list[tuple[Any, ...]]:
    rows = await store._pool.fetch(
        "SELECT voter_id, kind, number, at_ms FROM limit_vote_changes WHERE workspace_id = $1"
        " ORDER BY 1, 2, 3, 4",
        ws,
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("seed", range(6))
async def test_a_batch_refuses_and_counts_exactly_as_its_events_would_one_at_a_time(
    store: PostgresStore, seed: int
) -> None:
    rng = random.Random(seed)
    batched, alone = await _ws(store, SLACK), await _ws(store, DISCORD)
    for _ in range(3):  # later batches start from what earlier ones counted
        events = _script(rng, rng.randint(1, 64))
        assert await _batch(store._pool, batched, events) == await _one_by_one(store, alone, events)
    assert await _limit_rows(store, batched) == await _limit_rows(store, alone)
    assert any(row[4] for row in await _one_by_one(store, alone, _script(rng, 64)))


async def test_a_batch_waiting_for_a_voters_lock_sees_what_the_holder_counted(
    store: PostgresStore,
) -> None:
    ws = await _ws(store, SLACK)
    votes = [("A", n, "U1", "👍", 1, NOW_MS, NOW_MS, 3, 0, 60_000) for n in (1, 2)]
    more = [("A", n, "U1", "👎", -1, NOW_MS, NOW_MS, 3, 0, 60_000) for n in (1, 2, 3)]
    async with store._pool.acquire() as first, store._pool.acquire() as second:
        holding = first.transaction()
        await holding.start()
        assert [r[4] for r in await _batch(first, ws, votes)] == [None, None]
        waiting = asyncio.ensure_future(_batch(second, ws, more))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # queued on U1's lock
        await holding.commit()
        said = await waiting
    # The holder's two 👍 count, so the 👎 on A1 is the minute's third change and the last.
    assert [r[4] for r in said] == [None, "votes_per_minute", "votes_per_minute"]
    assert len(await _limit_rows(store, ws)) == 3


async def test_voters_without_recent_changes_batched_on_two_connections_share_one_allowance(
    store: PostgresStore,
) -> None:
    ws = await _ws(store, SLACK)
    batches = [
        [("A", n, f"U{v}", "👍", 1, NOW_MS, NOW_MS + 1, 2, 0, 60_000) for v in range(5)]
        for n in (1, 2, 3)
    ]
    results = await asyncio.gather(*(_batch(store._pool, ws, b) for b in batches))
    counted = [sum(r[4] is None for r in result) for result in results]
    assert sorted(counted) == [0, 5, 5]  # every voter's third vote in the minute is refused
    assert len(await _limit_rows(store, ws)) == 10


async def test_forgetting_a_person_deletes_their_limit_rows(store: PostgresStore) -> None:
    check = VoteCheck(30, 4, timedelta(seconds=60), NOW)
    for voter in ("U1", "U2"):
        await store.add_vote(SLACK, a(1), voter_id=voter, emoji="👍", weight=1, at=NOW, check=check)
        new = NewQuestion(SLACK, "C1", voter, voter, "Which offer?", (), False, NOW)
        await store.add_question(new, check=AskCheck(10, NOW))
    await vote(store, a(2), "U1")  # not limited: nothing kept
    await store.forget_person(SLACK, "U1", replacement_id="UX", replacement_name="someone")
    changes = await raw_fetch(store, "SELECT voter_id FROM limit_vote_changes")
    asks = await raw_fetch(store, "SELECT asker_id FROM limit_asks")
    assert (changes, asks) == ([("U2",)], [("U2",)])


async def test_batches_read_the_voters_changes_by_index_after_the_table_was_vacuumed_empty(
    store: PostgresStore,
) -> None:
    """A plan made while the table was empty would scan all of it, for as long as the
    connection keeps the plan (every batch after the sixth), however large the table grows."""
    ws = await _ws(store, SLACK)
    await store._pool.execute("VACUUM ANALYZE limit_vote_changes")
    async with store._pool.acquire() as conn:
        for n in range(10):
            event = ("A", 1 + n % POSTS, f"U{n}", "👍", 1, NOW_MS, NOW_MS, 30, 4, 60_000)
            await _batch(conn, ws, [event])
        async with conn.transaction():
            before = await conn.fetchrow(SCANS)
            await _batch(conn, ws, [("A", 1, "U1", "👎", -1, NOW_MS, NOW_MS, 30, 4, 60_000)])
            after = await conn.fetchrow(SCANS)
    assert (after["seq_scan"] - before["seq_scan"], after["idx_scan"] - before["idx_scan"]) == (
        0,
        1,
    )
