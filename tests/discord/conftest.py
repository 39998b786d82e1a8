"""Fixtures for the Discord tests: a fake Discord on 127.0.0.1:0 and discord.py pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import discord
import discord.gateway
import discord.http
import pytest

from .fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def discord_endpoints(fake: FakeDiscord) -> Iterator[None]:
    """discord.py has no option for its endpoints: they are class attributes; restore them."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
