"""A sharded bot: each process connects only its shards, and serves the guilds Discord routes to
them; readiness waits for every shard it owns."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from adapters.discord.connection import GatewayWatch
from adapters.discord.runtime import build_discord_client, run_discord
from bot.errors import SettingsError
from bot.readiness import READY
from bot.service import QAService
from storage import open_store

from .fake_discord import FakeDiscord
from .harness import Harness, eventually

StartBot = Callable[..., Awaitable[Harness]]
TWO_SHARDS = {"QABOT_DISCORD_SHARD_COUNT": "2"}


def _guild_per_shard(fake: FakeDiscord) -> tuple[str, str]:
    """A guild on shard 0 and one on shard 1 of two, each with a channel to ask in."""
    first, second = fake.add_guild(shard=(0, 2)), fake.add_guild(shard=(1, 2))
    for guild_id in (first, second):
        fake.add_channel("careers", guild_id=guild_id)
    return first, second


def _channel_in(fake: FakeDiscord, guild_id: str) -> dict[str, object]:
    return next(c for c in fake.channels.values() if c["guild_id"] == guild_id)


async def test_a_shard_count_alone_connects_every_shard_and_serves_every_guild(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    first, second = _guild_per_shard(fake)
    qa = await start_bot(env=TWO_SHARDS)
    alice = fake.add_member("alice")
    for guild_id in (first, second):
        asked = await qa.ask(
            alice, "How do I ask for a raise?", channel=_channel_in(fake, guild_id)
        )
        assert asked.message["guild_id"] == guild_id
    assert fake.identified_shards == [[0, 2], [1, 2]]
    assert {str(g.id) for g in qa.client.guilds} == set(fake.guild_ids)
    assert qa.service.readiness.parts() == {"discord": READY}


async def test_a_process_connects_only_the_shards_it_is_given(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    first, second = _guild_per_shard(fake)
    qa = await start_bot(env={**TWO_SHARDS, "QABOT_DISCORD_SHARD_IDS": "1"})
    alice = fake.add_member("alice")
    asked = await qa.ask(alice, "Is a PhD worth it?", channel=_channel_in(fake, second))
    assert "Q1" in asked.reply["content"]
    assert fake.identified_shards == [[1, 2]]
    assert second in {str(g.id) for g in qa.client.guilds}
    assert first not in {str(g.id) for g in qa.client.guilds}


async def test_discord_is_ready_only_once_every_shard_it_owns_is_ready(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None
) -> None:
    _guild_per_shard(fake)
    settings = Harness.settings_for(fake, tmp_path / "qa.db", message_content=True, env=TWO_SHARDS)
    store = await open_store(settings.storage.url)
    service = QAService(store=store, settings=settings)
    # The second shard identifies a second after the first, as Discord's identify limit asks.
    client = build_discord_client(
        settings=settings, service=service, guild_ready_timeout=0.05, identify_spacing=1.0
    )
    seen: list[str] = []

    def ready_now() -> bool:
        state = service.readiness.parts()["discord"]
        if not seen or seen[-1] != state:
            seen.append(state)
        return state == READY

    running = asyncio.create_task(client.start(settings.secrets.discord_token))
    try:
        await eventually(ready_now, within=5)
    finally:
        await client.close()
        await running
        await store.close()
    assert seen[0] == "connecting (0 of 2 shards ready)"
    assert "connecting (1 of 2 shards ready)" in seen
    assert seen[-1] == READY


async def test_a_dropped_shard_resumes_alone_and_its_guilds_votes_count(
    fake: FakeDiscord, start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qabot.discord")
    _, second = _guild_per_shard(fake)
    qa = await start_bot(env=TWO_SHARDS)
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Startup or big company?", channel=_channel_in(fake, second))
    answer = await qa.answer(bob, asked, "A startup, to learn fast.")
    await fake.drop(shard=(1, 2))
    await fake.react(carol, answer, "👍")  # replayed to shard 1 when it resumes
    await qa.ranked_as(alice, ["+1 bob"], channel=_channel_in(fake, second))
    assert fake.gateway_ops.count(2) == 2 and fake.gateway_ops.count(6) == 1
    # Only the shard that came back catches up, on its own guilds.
    on_shard_1 = {g for g in fake.guild_ids if (int(g) >> 22) % 2 == 1}
    await eventually(lambda: _caught_up(caplog, "resumed") == on_shard_1)


def _caught_up(caplog: pytest.LogCaptureFixture, why: str) -> set[str]:
    found = (
        re.fullmatch(rf"catching up in guild (\d+) \({why}\)", r.getMessage())
        for r in caplog.records
    )
    return {match[1] for match in found if match}


async def test_a_bot_that_must_be_sharded_stops_with_one_line_saying_so(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None, caplog: pytest.LogCaptureFixture
) -> None:
    fake.shards_required = 2  # a bot in 2,500 guilds or more
    settings = Harness.settings_for(fake, tmp_path / "qa.db", message_content=True)
    store = await open_store(settings.storage.url)
    try:
        with pytest.raises(SettingsError) as raised:
            await asyncio.wait_for(
                run_discord(settings, QAService(store=store, settings=settings)), 20
            )
    finally:
        await store.close()
    assert str(raised.value).startswith("Discord requires this bot to be sharded")
    assert "set [discord] shard_count" in str(raised.value)
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]


async def test_a_sharded_bot_whose_gateway_is_out_of_reach_ends_with_one_line(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        gateway = f"ws://127.0.0.1:{probe.getsockname()[1]}/gateway"
    settings = Harness.settings_for(
        fake, tmp_path / "qa.db", message_content=True,
        env={**TWO_SHARDS, "DISCORD_GATEWAY_URL": gateway},
    )  # fmt: skip
    store = await open_store(settings.storage.url)
    caplog.set_level(logging.INFO)
    try:
        with pytest.raises(SettingsError) as raised:
            service = QAService(store=store, settings=settings)
            await asyncio.wait_for(run_discord(settings, service, start_within=1.0), 20)
    finally:
        await store.close()
    assert str(raised.value).startswith(f"cannot reach the Discord gateway at {gateway}")
    assert [r for r in caplog.records if r.name == "discord.shard"]  # it did try
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]


def test_readiness_says_how_many_owned_shards_are_ready() -> None:
    watch = GatewayWatch(gateway="wss://gateway", shards=(2, 3))
    states = [watch.state()]
    for shard in (2, 3):
        watch.up(shard)
        watch.ready(shard)
        states.append(watch.state())
    watch.down(2)
    states.append(watch.state())
    assert states == [
        "connecting (0 of 2 shards ready)",
        "connecting (1 of 2 shards ready)",
        READY,
        "disconnected (1 of 2 shards ready)",
    ]


def test_an_unsharded_connection_reports_as_before() -> None:
    watch = GatewayWatch(gateway="wss://gateway")
    states = [watch.state()]
    watch.up()
    watch.ready()
    states.append(watch.state())
    watch.down()
    states.append(watch.state())
    assert states == ["connecting", READY, "disconnected"]


def test_shards_waiting_their_turn_to_connect_are_not_out_of_reach() -> None:
    now = [0.0]
    watch = GatewayWatch(gateway="wss://gateway", shards=(0, 1, 2), clock=lambda: now[0])
    lost = []
    for shard in (0, 1):  # one shard up every 40 s, each within the 60 s allowed to start
        now[0] += 40
        watch.up(shard)
        lost.append(watch.lost(start_within=60, give_up_after=600))
    now[0] += 59
    lost.append(watch.lost(start_within=60, give_up_after=600))
    assert lost == [None, None, None]
    now[0] += 1  # shard 2: a minute since the last shard came up, and nothing
    refused = watch.lost(start_within=60, give_up_after=600)
    assert refused is not None
    assert str(refused).startswith("cannot reach the Discord gateway at wss://gateway within 60 s")


def test_a_lost_shard_ends_the_process_once_it_stays_lost() -> None:
    now = [0.0]
    watch = GatewayWatch(gateway="wss://gateway", shards=(0, 1), clock=lambda: now[0])
    for shard in (0, 1):
        watch.up(shard)
        watch.ready(shard)
    watch.down(1)
    now[0] += 599
    assert watch.lost(start_within=60, give_up_after=600) is None
    now[0] += 1
    refused = watch.lost(start_within=60, give_up_after=600)
    assert refused is not None
    assert str(refused).startswith("lost the connection to the Discord gateway at wss://gateway")


def test_a_ready_that_arrives_after_its_connection_dropped_does_not_count() -> None:
    watch = GatewayWatch(gateway="wss://gateway", shards=(0, 1))
    watch.up(0)
    watch.ready(0)
    watch.up(1)
    watch.down(1)  # lost before discord.py got round to its READY
    watch.ready(1)
    assert watch.state() == "disconnected (1 of 2 shards ready)"
    assert watch.lost(start_within=60, give_up_after=0) is not None
