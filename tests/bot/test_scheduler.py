"""Time-travel tests for the digest scheduler: the clock moves, `tick()` is what the loop calls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain import ChannelRef, UserRef
from bot.errors import SettingsError
from bot.ports import Store
from bot.scheduler import DigestScheduler
from bot.service import QAService
from bot.settings import DigestSettings, Settings, load_settings
from storage import open_store
from storage.sqlite import SqliteStore
from tests.bot.recording_poster import RecordingPoster
from tests.conftest import CHANNEL, TEAM, FakeClock, FreshUrl

BERLIN_WEEKLY = DigestSettings(
    channels=(f"slack:{TEAM.workspace_id}:{CHANNEL}",), cadence="weekly", weekday="monday",
    time="09:00", timezone="Europe/Berlin",
)  # fmt: skip


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Bot:
    """One bot process: its own store connection, service, poster and scheduler."""

    def __init__(self, store: Store, clock: FakeClock, digest: DigestSettings) -> None:
        self.service = QAService(store=store, settings=Settings(digest=digest), clock=clock)
        self.poster = RecordingPoster()
        self.service.posters.register("slack", self.poster)
        self.scheduler = DigestScheduler(service=self.service, clock=clock)

    async def ask(self, text: str = "How do I ask for a raise?") -> Any:
        asker = UserRef(TEAM, "alice", "Alice")
        return await self.service.ask(asker=asker, channel=ChannelRef(TEAM, CHANNEL), text=text)

    async def tick_at(self, clock: FakeClock, moment: datetime) -> int:
        clock.now = moment
        return len(await self.scheduler.tick())


@pytest.fixture
async def stores(db_path: Path) -> AsyncIterator[list[SqliteStore]]:
    opened = [await SqliteStore.open(db_path), await SqliteStore.open(db_path)]
    yield opened
    for store in opened:
        await store.close()


def make_bot(
    stores: list[SqliteStore], clock: FakeClock, digest: DigestSettings = BERLIN_WEEKLY
) -> Bot:
    return Bot(stores[0], clock, digest)


async def test_a_weekly_digest_waits_for_its_local_time(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 9, 7, 59)) == 0  # 08:59 in Berlin (CET)
    assert await bot.tick_at(clock, utc(2026, 3, 9, 8, 0)) == 1  # 09:00 in Berlin


async def test_a_digest_is_posted_once_however_often_the_scheduler_ticks(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    posted = [await bot.tick_at(clock, utc(2026, 3, 9, 8, m)) for m in range(0, 60, 10)]
    assert posted == [1, 0, 0, 0, 0, 0]


async def test_after_the_spring_dst_change_the_digest_comes_an_hour_earlier_in_utc(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)  # Berlin moves to CEST on Sunday 2026-03-29
    clock.now = utc(2026, 3, 25, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 30, 6, 59)) == 0
    assert await bot.tick_at(clock, utc(2026, 3, 30, 7, 0)) == 1  # 09:00 CEST
    assert bot.poster.digests[0][1].due_at == utc(2026, 3, 30, 7, 0)


async def test_a_daily_digest_follows_new_york_across_the_autumn_change(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    daily = DigestSettings(
        channels=BERLIN_WEEKLY.channels, cadence="daily", time="09:00", timezone="America/New_York"
    )
    bot = make_bot(stores, clock, daily)
    clock.now = utc(2026, 10, 30, 20)
    await bot.ask()
    times = [utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 13, 30), utc(2026, 11, 1, 14, 0)]
    assert [await bot.tick_at(clock, moment) for moment in times] == [1, 0, 1]


async def test_a_digest_missed_while_down_is_posted_on_return_within_a_day(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 10, 7, 59)) == 1  # 23h59 after 09:00 CET


async def test_a_digest_missed_by_more_than_a_day_is_never_posted(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 10, 8, 1)) == 0
    assert await bot.tick_at(clock, utc(2026, 3, 16, 8, 0)) == 1  # the next week's, as usual


async def test_days_of_downtime_post_one_daily_digest_not_a_backlog(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    daily = DigestSettings(channels=BERLIN_WEEKLY.channels, cadence="daily", timezone="UTC")
    bot = make_bot(stores, clock, daily)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 12, 10)) == 1
    assert bot.poster.digests[0][1].due_at == utc(2026, 3, 12, 9)


async def test_two_processes_post_each_digest_once(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    first, second = Bot(stores[0], clock, BERLIN_WEEKLY), Bot(stores[1], clock, BERLIN_WEEKLY)
    clock.now = utc(2026, 3, 8, 12)
    await first.ask()
    clock.now = utc(2026, 3, 9, 8, 0)
    await asyncio.gather(*(bot.scheduler.tick() for bot in (first, second, first, second)))
    assert len(first.poster.digests) + len(second.poster.digests) == 1


async def test_an_empty_digest_is_not_posted(stores: list[SqliteStore], clock: FakeClock) -> None:
    bot = make_bot(stores, clock)
    assert await bot.tick_at(clock, utc(2026, 3, 9, 8, 0)) == 0
    assert bot.poster.digests == []


async def test_a_digest_holds_the_weeks_top_answers_and_the_questions_still_waiting(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 2, 27, 12)  # ten days before the digest: outside its week
    old = await bot.ask("Old question?")
    await bot.service.answer(author=UserRef(TEAM, "bob", "Bob"), question=old.post_id, text="Old.")
    clock.now = utc(2026, 3, 6, 12)
    answered = await bot.ask("Answered this week?")
    await bot.service.answer(
        author=UserRef(TEAM, "bob", "Bob"), question=answered.post_id, text="Fresh."
    )
    await bot.ask("Still waiting?")
    await bot.tick_at(clock, utc(2026, 3, 9, 8, 0))
    [(_, digest)] = bot.poster.digests
    assert [r.answer.text for r in digest.top] == ["Fresh."]
    assert [q.text for q in digest.waiting] == ["Still waiting?"]
    assert digest.title == "Top answers this week"


async def test_a_digest_for_a_platform_not_running_here_is_left_for_another_process(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    bot.service.posters = type(bot.service.posters)()  # nothing registered
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    assert await bot.tick_at(clock, utc(2026, 3, 9, 8, 0)) == 0
    other = Bot(stores[1], clock, BERLIN_WEEKLY)
    assert len(await other.scheduler.tick()) == 1


async def test_the_run_loop_ticks_until_cancelled(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    clock.now = utc(2026, 3, 9, 8, 0)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise asyncio.CancelledError

    loop = DigestScheduler(service=bot.service, clock=clock, sleep=sleep, interval=30)
    with pytest.raises(asyncio.CancelledError):
        await loop.run()
    assert (sleeps, len(bot.poster.digests)) == ([30, 30, 30], 1)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("time", "9am", "[digest] time must be HH:MM"),
        ("timezone", "Mars/Olympus", "[digest] timezone must be an IANA zone"),
        ("channels", "C0456", "[digest] channels entries look like"),
        ("size", "0", "[digest] size must be at least 1"),
    ],
)
def test_a_digest_setting_that_cannot_work_stops_start_up_naming_it(
    key: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message.replace("[", r"\[")):
        load_settings(None, {f"QABOT_DIGEST_{key.upper()}": value})


async def test_until_its_platform_connects_the_loop_looks_again_every_second(
    stores: list[SqliteStore], clock: FakeClock
) -> None:
    bot = make_bot(stores, clock)
    poster = bot.poster
    bot.service.posters = type(bot.service.posters)()  # the adapter has not connected yet
    clock.now = utc(2026, 3, 8, 12)
    await bot.ask()
    clock.now = utc(2026, 3, 9, 8, 0)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            bot.service.posters.register("slack", poster)  # connected now
        if len(sleeps) == 3:
            raise asyncio.CancelledError

    loop = DigestScheduler(service=bot.service, clock=clock, sleep=sleep, interval=30)
    with pytest.raises(asyncio.CancelledError):
        await loop.run()
    assert (sleeps, len(poster.digests)) == ([1.0, 1.0, 30], 1)


async def test_two_processes_on_postgresql_post_each_digest_once(
    fresh_url: FreshUrl,
    clock: FakeClock,
) -> None:
    url = await fresh_url("postgres")
    stores = [await open_store(url, pool_size=2), await open_store(url, pool_size=2)]
    try:
        bots = [Bot(store, clock, BERLIN_WEEKLY) for store in stores]
        clock.now = utc(2026, 3, 8, 12)
        await bots[0].ask()
        clock.now = utc(2026, 3, 9, 8, 0)
        await asyncio.gather(*(bot.scheduler.tick() for bot in bots * 3))
        assert sum(len(bot.poster.digests) for bot in bots) == 1
    finally:
        for store in stores:
            await store.close()
