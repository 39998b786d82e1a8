"""The fake routes like Discord: a connection identifying as shard [i, n] gets only the guilds,
and the events, of shard i; GET /gateway/bot recommends a shard count."""

from __future__ import annotations

import asyncio

import discord
import pytest

from .fake_discord import FakeDiscord
from .test_fake_discord import Recorder

pytestmark = pytest.mark.usefixtures("discord_endpoints")


async def test_a_shard_connection_gets_only_the_guilds_and_events_of_its_shard(
    fake: FakeDiscord,
) -> None:
    mine, other = fake.add_guild(shard=(1, 2)), fake.add_guild(shard=(0, 2))
    here, there = (fake.add_channel("careers", guild_id=g) for g in (mine, other))
    bot = Recorder(shard_id=1, shard_count=2)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.ready.wait(), 5)
        alice = fake.add_member("alice")
        await fake.react(alice, fake.new_message(there["id"], fake.owner, "not for shard 1"), "👍")
        await fake.react(alice, fake.new_message(here["id"], fake.owner, "for shard 1"), "👍")
        event = await asyncio.wait_for(bot.events.get(), 5)
        assert isinstance(event, discord.RawReactionActionEvent)
        assert str(event.guild_id) == mine and bot.events.empty()
        assert mine in {str(g.id) for g in bot.guilds}
        assert other not in {str(g.id) for g in bot.guilds}
        assert fake.identified_shards == [[1, 2]]
    finally:
        await bot.close()
        await task


class AutoRecorder(discord.AutoShardedClient):
    """discord.py's sharded client left to ask Discord how many shards to connect."""

    def __init__(self) -> None:
        intents = discord.Intents(guilds=True, guild_messages=True, guild_reactions=True)
        super().__init__(intents=intents, guild_ready_timeout=0.05)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        pass  # the fake has no identify limit to wait for


async def test_gateway_bot_recommends_the_shards_discord_requires(fake: FakeDiscord) -> None:
    fake.shards_required = 3
    bot = AutoRecorder()
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        assert sorted(fake.identified_shards) == [[0, 3], [1, 3], [2, 3]]
        assert fake.bot_calls("GET", r"/gateway/bot")
    finally:
        await bot.close()
        await task


async def test_too_few_shards_are_refused_with_sharding_required(fake: FakeDiscord) -> None:
    fake.shards_required = 2
    bot = Recorder()
    with pytest.raises(discord.ConnectionClosed) as closed:
        await asyncio.wait_for(bot.start(fake.token), 5)
    assert closed.value.code == 4011
