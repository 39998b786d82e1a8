"""Fixtures for the Discord tests: a fake Discord on 127.0.0.1:0 and discord.py pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.compat import endpoints, point_at

from .fake_discord import FakeDiscord
from .harness import Harness


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def discord_endpoints(fake: FakeDiscord) -> Iterator[None]:
    """discord.py's endpoints are process-wide (see adapters.discord.compat): restore them."""
    base, gateway = endpoints()
    point_at(api_base_url=fake.api_url, gateway_url=fake.gateway_url)
    yield
    point_at(api_base_url=base, gateway_url=gateway)


@pytest.fixture
async def start_bot(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None
) -> AsyncIterator[Callable[..., Awaitable[Harness]]]:
    """Start qabot's real client on the fake: ``await start_bot(message_content=True)``."""
    started: list[Harness] = []

    async def start(**options: Any) -> Harness:
        harness = await Harness.start(fake, tmp_path / f"qa{len(started)}.db", **options)
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()


@pytest.fixture
async def qa(start_bot: Callable[..., Awaitable[Harness]]) -> Harness:
    """qabot with the Message Content intent, the common case."""
    return await start_bot(message_content=True)
