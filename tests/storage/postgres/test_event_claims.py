"""Event ids claimed in PostgreSQL hold across processes: each store here is one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.ports import Store
from storage import open_store
from tests.conftest import FreshUrl

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
async def two_processes(fresh_url: FreshUrl) -> AsyncIterator[tuple[Store, Store]]:
    url = await fresh_url("postgres")
    first = await open_store(url)
    second = await open_store(url)
    yield first, second
    await first.close()
    await second.close()


async def test_an_event_claimed_by_one_process_is_refused_to_another(
    two_processes: tuple[Store, Store],
) -> None:
    first, second = two_processes
    assert await first.claim_event("slack", "Ev1", at=NOW)
    assert not await second.claim_event("slack", "Ev1", at=NOW + timedelta(minutes=59))


async def test_of_simultaneous_claims_in_two_processes_exactly_one_wins(
    two_processes: tuple[Store, Store],
) -> None:
    first, second = two_processes
    claims = [store.claim_event("slack", "Ev2", at=NOW) for store in (first, second) * 3]
    assert sorted(await asyncio.gather(*claims)) == [False] * 5 + [True]


async def test_a_released_event_can_be_claimed_again_by_another_process(
    two_processes: tuple[Store, Store],
) -> None:
    first, second = two_processes
    await first.claim_event("slack", "Ev3", at=NOW)
    await first.release_event("slack", "Ev3")
    assert await second.claim_event("slack", "Ev3", at=NOW)
