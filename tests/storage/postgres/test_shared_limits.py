"""The abuse limits on PostgreSQL hold across processes: each service here is one process, with
its own store (pools, batcher, memory) on one database, and both on one test clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

import pytest

from bot.domain import Answer, ChannelRef, Question, UserRef, VoteStatus
from bot.errors import InvalidInput, RateLimited, StoreUnavailable
from bot.service import QAService
from bot.settings import LimitsSettings, Settings
from storage import open_store
from storage.postgres import PostgresStore
from tests.conftest import CHANNEL, TEAM, FakeClock, FreshUrl
from tests.storage.conftest import raw_execute, raw_fetch


@dataclass
class Processes:
    """Two bot processes on one database, and the answers they can vote on."""

    services: tuple[QAService, QAService]
    stores: tuple[PostgresStore, PostgresStore]
    clock: FakeClock
    answers: list[Answer]

    def person(self, user_id: str) -> UserRef:
        return UserRef(TEAM, user_id, user_id)

    async def ask(self, n: int, asker: str = "alice", text: str = "Which CV format?") -> Question:
        return await self.services[n].ask(
            asker=self.person(asker), channel=ChannelRef(TEAM, CHANNEL), text=text
        )

    async def react(self, n: int, voter: str, answer: int, emoji: str = "👍") -> VoteStatus:
        target = self.answers[answer].post_id
        outcome = await self.services[n].react(voter=self.person(voter), target=target, emoji=emoji)
        return outcome.status

    async def unreact(self, n: int, voter: str, answer: int, emoji: str = "👍") -> VoteStatus:
        target = self.answers[answer].post_id
        service = self.services[n]
        return (await service.unreact(voter=self.person(voter), target=target, emoji=emoji)).status

    async def ups(self, answer: int) -> int:
        post = await self.stores[0].get_post(TEAM, self.answers[answer].post_id)
        assert post is not None
        return post.ups

    async def rows(self, table: str) -> int:
        return int((await raw_fetch(self.stores[0], f"SELECT count(*) FROM {table}"))[0][0])


MakeProcesses = Callable[..., Awaitable[Processes]]
ONLY_Q1 = "kind = 'A' OR number < 2"


@pytest.fixture
async def processes(fresh_url: FreshUrl) -> AsyncIterator[MakeProcesses]:
    opened: list[PostgresStore] = []

    async def make(**limits: int) -> Processes:
        url = await fresh_url("postgres")
        settings = Settings(limits=replace(LimitsSettings(), **limits))
        clock = FakeClock()
        stores = []
        for _ in range(2):
            store = await open_store(url)
            assert isinstance(store, PostgresStore)
            opened.append(store)
            stores.append(store)
        services = tuple(QAService(store=s, settings=settings, clock=clock) for s in stores)
        both = Processes((services[0], services[1]), (stores[0], stores[1]), clock, [])
        question = await services[0].ask(
            asker=both.person("asker"), channel=ChannelRef(TEAM, CHANNEL), text="Which offer?"
        )
        for i in range(10):
            answer, _ = await services[0].answer(
                author=both.person(f"author{i}"), question=question.post_id, text=f"Offer {i}."
            )
            both.answers.append(answer)
        return both

    yield make
    for store in opened:
        await store.close()


async def test_votes_split_between_two_processes_count_up_to_the_limit_in_total(
    processes: MakeProcesses,
) -> None:
    both = await processes(votes_per_minute=5)
    counted = refused = 0
    for i in range(8):
        try:
            await both.react(i % 2, "carol", i)
            counted += 1
        except RateLimited as limited:
            assert "voted 5 times in the last minute" in limited.message
            refused += 1
    assert (counted, refused) == (5, 3)
    assert [await both.ups(i) for i in range(8)] == [1] * 5 + [0] * 3


async def test_simultaneous_votes_in_two_processes_cannot_all_slip_past_the_limit(
    processes: MakeProcesses,
) -> None:
    both = await processes(votes_per_minute=5)
    results = await asyncio.gather(
        *(both.react(i % 2, "carol", i) for i in range(10)), return_exceptions=True
    )
    assert sum(isinstance(r, RateLimited) for r in results) == 5
    assert sum([await both.ups(i) for i in range(10)]) == 5


async def test_the_minute_limit_says_how_long_to_wait_and_lifts_after_it(
    processes: MakeProcesses,
) -> None:
    both = await processes(votes_per_minute=2)
    await both.react(0, "carol", 0)
    both.clock.advance(seconds=20)
    await both.react(1, "carol", 1)
    both.clock.advance(seconds=10)
    with pytest.raises(RateLimited, match="wait 30 seconds"):
        await both.react(0, "carol", 2)
    both.clock.advance(seconds=30)
    assert await both.react(1, "carol", 2) is VoteStatus.COUNTED


async def test_a_refused_vote_does_not_use_up_the_allowance(processes: MakeProcesses) -> None:
    both = await processes(votes_per_minute=2)
    await both.react(0, "carol", 0)
    await both.react(1, "carol", 1)
    both.clock.advance(seconds=30)
    for n in (0, 1, 0):
        with pytest.raises(RateLimited):
            await both.react(n, "carol", 2)
    both.clock.advance(seconds=31)  # the first two have left the minute; the refused never came
    assert await both.react(0, "carol", 2) is VoteStatus.COUNTED
    assert await both.react(1, "carol", 3) is VoteStatus.COUNTED


async def test_a_vote_that_changed_nothing_does_not_use_up_the_allowance(
    processes: MakeProcesses,
) -> None:
    both = await processes(votes_per_minute=3)
    assert await both.react(0, "carol", 0) is VoteStatus.COUNTED
    for n in (1, 0, 1, 0, 1):
        assert await both.react(n, "carol", 0) is VoteStatus.UNCHANGED
        assert await both.unreact(n, "carol", 0, "👎") is VoteStatus.UNCHANGED
    assert await both.react(1, "carol", 1) is VoteStatus.COUNTED
    assert await both.react(0, "carol", 2) is VoteStatus.COUNTED
    with pytest.raises(RateLimited):
        await both.react(1, "carol", 3)


async def test_an_add_remove_storm_across_processes_stops_moving_the_count(
    processes: MakeProcesses,
) -> None:
    both = await processes(vote_changes_per_post=4, vote_cooldown_seconds=60)
    for n in (0, 1):
        await both.react(n, "carol", 0)
        await both.unreact(1 - n, "carol", 0)
    with pytest.raises(RateLimited, match=r"changed your vote on A1 several times.*60 seconds"):
        await both.react(0, "carol", 0)
    assert await both.ups(0) == 0
    assert await both.react(1, "carol", 1) is VoteStatus.COUNTED  # another post is not cooling
    both.clock.advance(seconds=60)
    assert await both.react(1, "carol", 0) is VoteStatus.COUNTED
    assert await both.ups(0) == 1


async def test_the_limits_are_each_persons_own(processes: MakeProcesses) -> None:
    both = await processes(votes_per_minute=1)
    await both.react(0, "carol", 0)
    with pytest.raises(RateLimited):
        await both.react(1, "carol", 1)
    assert await both.react(1, "dave", 1) is VoteStatus.COUNTED


async def test_questions_split_between_two_processes_count_up_to_the_hourly_limit(
    processes: MakeProcesses,
) -> None:
    both = await processes(asks_per_hour=3)
    asked = [await both.ask(n) for n in (0, 1, 0)]
    with pytest.raises(RateLimited, match=r"asked 3 questions in the last hour.*wait 60 minutes"):
        await both.ask(1)
    assert [q.number for q in asked] == [2, 3, 4]  # Q1 is the fixture's
    assert (await both.ask(0, "bob")).number == 5  # the refused one was never stored


async def test_a_refused_question_does_not_use_up_the_allowance(
    processes: MakeProcesses,
) -> None:
    both = await processes(asks_per_hour=2)
    await both.ask(0)
    both.clock.advance(minutes=10)
    await both.ask(1)
    both.clock.advance(minutes=10)
    for n in (0, 1):
        with pytest.raises(RateLimited):
            await both.ask(n)
        with pytest.raises(InvalidInput):
            await both.ask(n, text="   ")
    both.clock.advance(minutes=41)  # the first question has left the hour; the refused never came
    assert (await both.ask(1)).number == 4
    with pytest.raises(RateLimited, match="wait 9 minutes"):
        await both.ask(0)


async def test_a_question_the_store_fails_to_write_gives_its_place_back(
    processes: MakeProcesses,
) -> None:
    both = await processes(asks_per_hour=1)
    # The next question cannot be stored: its number breaks a rule of an admin's.
    await raw_execute(both.stores[0], f"ALTER TABLE posts ADD CONSTRAINT no_q2 CHECK ({ONLY_Q1})")
    with pytest.raises(StoreUnavailable):
        await both.ask(0)
    await raw_execute(both.stores[0], "ALTER TABLE posts DROP CONSTRAINT no_q2")
    assert (await both.ask(1)).number == 2


async def test_a_limit_of_zero_keeps_nothing_in_the_database(processes: MakeProcesses) -> None:
    both = await processes(asks_per_hour=0, votes_per_minute=0, vote_changes_per_post=0)
    for i in range(12):
        await both.ask(i % 2)
        await both.react(i % 2, "carol", i % 10, "👍" if i < 10 else "👎")
    assert (await both.rows("limit_asks"), await both.rows("limit_vote_changes")) == (0, 0)


async def test_rows_no_limit_looks_at_any_more_are_deleted(processes: MakeProcesses) -> None:
    both = await processes(votes_per_minute=30, asks_per_hour=10)
    await both.ask(0)
    for i in range(5):
        await both.react(0, "carol", i)
    both.clock.advance(hours=2)
    await both.react(0, "dave", 0)  # the first check in a while deletes what is old
    for _ in range(50):
        if await both.rows("limit_vote_changes") == 1:
            break
        await asyncio.sleep(0.05)
    assert (await both.rows("limit_asks"), await both.rows("limit_vote_changes")) == (0, 1)
