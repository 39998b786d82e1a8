"""Both stores report each batched write transaction: its size and how long it took."""

from __future__ import annotations

import asyncio

from bot.ports import Store
from tests.storage.builders import a, answer, ask, vote


async def test_a_burst_of_votes_is_reported_op_for_op_in_committed_batches(store: Store) -> None:
    question = await ask(store)
    await answer(store, question.number)
    batches: list[tuple[int, float]] = []
    store.observe_batches(lambda size, seconds: batches.append((size, seconds)))
    await asyncio.gather(*(vote(store, a(1), f"U{n}") for n in range(20)))
    assert sum(size for size, _ in batches) == 20
    assert len(batches) < 20 and all(seconds >= 0 for _, seconds in batches)
