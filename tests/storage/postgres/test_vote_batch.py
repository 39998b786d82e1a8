"""PostgreSQL group commit: concurrent votes share statements, a refused one fails alone."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain import MessageRef
from bot.errors import StoreUnavailable
from storage import open_store
from storage.postgres import PostgresStore
from tests.conftest import FreshUrl
from tests.storage.builders import DISCORD, NOW, SLACK, a, answer, ask, unvote, vote

pytest.importorskip("asyncpg")


async def _store(fresh_url: FreshUrl) -> PostgresStore:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    await ask(store)
    await answer(store, 1)
    await answer(store, 1)
    return store


async def test_concurrent_votes_share_statements(fresh_url: FreshUrl) -> None:
    store = await _store(fresh_url)
    try:
        before = store._votes._batcher.batches
        tallies = await asyncio.gather(
            *(vote(store, a(1 + i % 2), f"U{i}") for i in range(200)),
            vote(store, a(1), "U0"),  # a redelivery: changes nothing
        )
        batches = store._votes._batcher.batches - before
        first, second = await store.get_post(SLACK, a(1)), await store.get_post(SLACK, a(2))
        await unvote(store, a(1), "U0")
        after = await store.get_post(SLACK, a(1))
        assert await store.recount() == 0  # the moved counts equal a full recount
    finally:
        await store.close()
    assert first is not None and second is not None and after is not None
    assert (first.ups, second.ups, after.ups) == (100, 100, 99)
    assert sum(t.changed for t in tallies) == 200
    assert 1 <= batches < 20, f"200 concurrent votes took {batches} statements"


async def test_a_burst_goes_out_as_two_batches_at_once_and_every_vote_counts(
    fresh_url: FreshUrl,
) -> None:
    store = await _store(fresh_url)
    try:
        # Two hot posts, a different voter each time: the batches in flight share both posts.
        tallies = await asyncio.gather(*(vote(store, a(1 + i % 2), f"U{i}") for i in range(300)))
        first, second = await store.get_post(SLACK, a(1)), await store.get_post(SLACK, a(2))
        assert await store.recount() == 0
    finally:
        await store.close()
    assert store._votes._batcher.most_in_flight == 2
    assert first is not None and second is not None and (first.ups, second.ups) == (150, 150)
    assert sum(t.changed for t in tallies) == 300


async def test_a_reaction_added_then_removed_in_a_burst_stays_removed(
    fresh_url: FreshUrl,
) -> None:
    """The additions go out in a batch that works on answer 1 first; the removals, arriving
    next, wait for it: sent beside it, they would reach answer 2 first, find nothing to remove,
    and the additions would land after them."""
    store = await _store(fresh_url)
    try:
        # A first burst opens the pool's second connection, so the two batches go out together.
        await asyncio.gather(*(vote(store, a(1), f"W{i}") for i in range(128)))
        await asyncio.gather(
            *(vote(store, a(1), f"F{i}") for i in range(48)),
            *(vote(store, a(2), f"V{i}") for i in range(16)),
            *(unvote(store, a(2), f"V{i}") for i in range(16)),
        )
        found = await store.get_post(SLACK, a(2))
        assert await store.recount() == 0
    finally:
        await store.close()
    assert found is not None and found.ups == 0


async def test_a_refused_vote_in_a_batch_fails_alone(fresh_url: FreshUrl) -> None:
    store = await _store(fresh_url)
    try:
        bad = store.add_vote(SLACK, a(1), voter_id="U_BAD", emoji="x", weight=2, at=NOW)
        results = await asyncio.gather(
            *(vote(store, a(1), f"U{i}") for i in range(10)), bad, return_exceptions=True
        )
        found = await store.get_post(SLACK, a(1))
    finally:
        await store.close()
    assert isinstance(results[-1], StoreUnavailable)  # weight 2 breaks votes' CHECK
    assert all(not isinstance(r, BaseException) and r.changed for r in results[:-1])
    assert found is not None and found.ups == 10


async def test_votes_queued_before_close_are_all_committed(fresh_url: FreshUrl) -> None:
    url = await fresh_url("postgres")
    store = await open_store(url)
    await ask(store)
    await answer(store, 1)
    pending = [asyncio.ensure_future(vote(store, a(1), f"U{i}")) for i in range(50)]
    await asyncio.sleep(0)
    await store.close()
    await asyncio.gather(*pending)
    reopened = await open_store(url)
    try:
        found = await reopened.get_post(SLACK, a(1))
    finally:
        await reopened.close()
    assert found is not None and found.ups == 50


async def test_concurrent_lookups_share_statements(fresh_url: FreshUrl) -> None:
    store = await _store(fresh_url)
    try:
        await vote(store, a(2), "U_V")
        before = store._posts._by_number.batches
        found = await asyncio.gather(*(store.get_post(SLACK, a(1 + i % 3)) for i in range(90)))
        batches = store._posts._by_number.batches - before
    finally:
        await store.close()
    assert [f and (f.number, f.ups) for f in found[:3]] == [(1, 0), (2, 1), None]  # no answer 3
    assert 1 <= batches < 10, f"90 concurrent lookups took {batches} statements"


async def test_concurrent_lookups_by_message_share_statements(fresh_url: FreshUrl) -> None:
    store = await _store(fresh_url)
    try:
        await store.link_answer(SLACK, 1, MessageRef("C1", "m1"))
        await store.link_answer(SLACK, 2, MessageRef("C1", "m2"))
        await store.remove_post(SLACK, a(2))
        await vote(store, a(1), "U_V")
        messages = [MessageRef("C1", "m1"), MessageRef("C1", "m2"), MessageRef("C2", "m1")]
        before = store._posts._by_message.batches
        found = await asyncio.gather(
            *(store.get_post_by_message(SLACK, messages[i % 3]) for i in range(90)),
            store.get_post_by_message(DISCORD, messages[0]),  # another workspace: nothing
        )
        batches = store._posts._by_message.batches - before
    finally:
        await store.close()
    # m2's answer is removed; C2 has no message m1
    assert [f and (f.number, f.ups) for f in found[:3]] == [(1, 1), None, None]
    assert found[-1] is None
    assert 1 <= batches < 10, f"90 concurrent lookups took {batches} statements"
