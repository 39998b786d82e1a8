"""The harness itself: the real discord.py client talks to the fake as it would to Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest

from .fake_discord import FakeDiscord
from .harness import eventually

pytestmark = pytest.mark.usefixtures("discord_endpoints")


class Recorder(discord.Client):
    def __init__(self, **kwargs: object) -> None:
        intents = discord.Intents(guilds=True, guild_messages=True, guild_reactions=True)
        super().__init__(intents=intents, guild_ready_timeout=0.05, **kwargs)  # type: ignore[arg-type]
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.events: asyncio.Queue[object] = asyncio.Queue()

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.events.put(payload)

    async def on_message(self, message: discord.Message) -> None:
        await self.events.put(message)


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[Recorder]:
    bot = Recorder()
    task = asyncio.create_task(bot.start(fake.token))
    await asyncio.wait_for(bot.ready.wait(), 5)
    yield bot
    await bot.close()
    await task


async def test_client_logs_in_and_sees_the_guild(client: Recorder, fake: FakeDiscord) -> None:
    guild = client.get_guild(int(fake.guild_id))
    assert guild is not None
    assert guild.get_channel(int(fake.general["id"])) is not None
    assert client.user is not None and str(client.user.id) == fake.bot["id"]


async def test_raw_reaction_reaches_the_client(client: Recorder, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    message = fake.new_message(fake.general["id"], fake.owner, "hello")
    await fake.react(alice, message, "👍")
    event = await asyncio.wait_for(client.events.get(), 5)
    assert isinstance(event, discord.RawReactionActionEvent)
    assert str(event.user_id) == alice["id"] and str(event.emoji) == "👍"


async def test_message_text_is_blank_without_the_intent(
    client: Recorder, fake: FakeDiscord
) -> None:
    await fake.user_message(fake.general, fake.owner, "secret words")
    event = await asyncio.wait_for(client.events.get(), 5)
    assert isinstance(event, discord.Message) and event.content == ""


async def test_client_sends_a_message_over_rest(client: Recorder, fake: FakeDiscord) -> None:
    channel = client.get_channel(int(fake.general["id"]))
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hi there")
    call = await fake.wait_for_call("POST", rf"/channels/{fake.general['id']}/messages")
    assert call.body["content"] == "hi there"
    assert fake.messages[str(sent.id)]["content"] == "hi there"


async def test_rate_limited_call_is_retried(client: Recorder, fake: FakeDiscord) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages", retry_after=0.05)
    channel = client.get_channel(int(fake.general["id"]))
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after a 429")
    statuses = [c.status for c in fake.bot_calls("POST", r"/channels/\d+/messages")]
    assert statuses == [429, 200]


async def test_dropped_gateway_resumes_and_replays(client: Recorder, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    message = fake.new_message(fake.general["id"], fake.owner, "hello")
    await fake.drop()
    await fake.react(alice, message, "👍")  # happens while the bot is away
    await asyncio.wait_for(client.resumed.wait(), 10)
    event = await asyncio.wait_for(client.events.get(), 5)
    assert isinstance(event, discord.RawReactionActionEvent)
    assert fake.gateway_ops.count(2) == 1 and 6 in fake.gateway_ops  # one IDENTIFY, then RESUME


async def test_reconnect_request_makes_the_client_resume(
    client: Recorder, fake: FakeDiscord
) -> None:
    await fake.reconnect_request()
    await asyncio.wait_for(client.resumed.wait(), 10)
    assert fake.gateway_ops.count(2) == 1 and 6 in fake.gateway_ops


async def test_heartbeats_are_acknowledged(fake: FakeDiscord) -> None:
    fake.heartbeat_interval_ms = 50  # short, so several beats fit in the test
    bot = Recorder()
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await asyncio.wait_for(bot.ready.wait(), 5)
        await eventually(lambda: fake.gateway_ops.count(1) >= 3)
        assert bot.latency != float("inf")  # an ack came back for a beat
    finally:
        await bot.close()
        await task
