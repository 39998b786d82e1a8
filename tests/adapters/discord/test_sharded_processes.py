"""Two `qabot run` processes split one sharded bot: each connects its own shard, serves the guilds
Discord routes to it, and both keep the board in one PostgreSQL store."""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import FreshUrl

from .fake_discord import FakeDiscord
from .harness import eventually
from .test_run_command import QABOT, ROOT

Json = dict[str, Any]


@dataclass
class Process:
    shard: int
    ops: str  # the process's /readyz and /metrics
    log: Path
    running: asyncio.subprocess.Process

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(f"{self.ops}{path}") as response:
            return response.status, await response.text()

    async def asks_handled(self) -> float:
        _, text = await self.get("/metrics")
        pattern = r'qabot_command_seconds_count\{[^}]*command="ask"[^}]*\} (\S+)'
        found = re.search(pattern, text)
        return float(found[1]) if found else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start(fake: FakeDiscord, tmp_path: Path, storage_url: str, shard: int) -> Process:
    port = _free_port()
    guild_ids = ", ".join(f'"{guild_id}"' for guild_id in fake.guild_ids)
    config = tmp_path / f"shard{shard}.toml"
    config.write_text(
        f"[discord]\nenabled = true\nguild_ids = [{guild_ids}]\n"
        f"[ops]\nenabled = true\nport = {port}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "QABOT_STORAGE_URL": storage_url,
        "QABOT_DISCORD_SHARD_COUNT": "2",
        "QABOT_DISCORD_SHARD_IDS": str(shard),
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": str(fake.gateway_url),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    log = tmp_path / f"shard{shard}.log"
    with log.open("wb") as output:
        running = await asyncio.create_subprocess_exec(
            *QABOT, "run", "--config", str(config),
            env=env, cwd=tmp_path, stdout=output, stderr=output,
        )  # fmt: skip
    return Process(shard, f"http://127.0.0.1:{port}", log, running)


@pytest.fixture
async def two_processes(
    fake: FakeDiscord, tmp_path: Path, fresh_url: FreshUrl
) -> AsyncIterator[tuple[Process, Process]]:
    storage_url = await fresh_url("postgres")
    for shard in (0, 1):  # a guild on each shard, there before the bot connects
        fake.add_channel("careers", guild_id=fake.add_guild(shard=(shard, 2)))
    processes = [await _start(fake, tmp_path, storage_url, shard) for shard in (0, 1)]
    try:
        for process in processes:
            await _until_ready(process)
        yield processes[0], processes[1]
    finally:
        for process in processes:
            if process.running.returncode is None:
                process.running.terminate()
            await process.running.wait()
    for process in processes:
        assert "Traceback" not in process.log.read_text(), process.log.read_text()


async def _until_ready(process: Process) -> None:
    async def ready() -> bool:
        if process.running.returncode is not None:
            raise AssertionError(f"shard {process.shard} exited: {process.log.read_text()}")
        try:
            status, _ = await process.get("/readyz")
        except aiohttp.ClientError:
            return False
        return status == 200

    try:
        await eventually(ready, within=60)
    except AssertionError:
        raise AssertionError(f"shard {process.shard}: {process.log.read_text()}") from None


async def _ask(fake: FakeDiscord, user: Json, channel: Json, question: str) -> Json:
    interaction_id = await fake.slash(user, "ask", channel=channel, question=question)

    def answered() -> bool:
        original = fake.interactions[interaction_id].original
        return original is not None and not int(original.get("flags") or 0) & 128

    await eventually(answered, within=10)
    reply = fake.original(interaction_id)
    assert reply is not None
    return reply


async def test_two_processes_each_serve_the_guilds_of_their_own_shard(
    fake: FakeDiscord, two_processes: tuple[Process, Process]
) -> None:
    first, second = two_processes
    alice = fake.add_member("alice")
    channels = []
    for shard in (0, 1):
        guild_id = next(g for g in fake.guild_ids if (int(g) >> 22) % 2 == shard)
        channels.append(next(c for c in fake.channels.values() if c["guild_id"] == guild_id))

    on_shard_0 = await _ask(fake, alice, channels[0], "Which languages do banks hire for?")
    assert (await first.asks_handled(), await second.asks_handled()) == (1, 0)
    on_shard_1 = await _ask(fake, alice, channels[1], "How long should a CV be?")
    assert (await first.asks_handled(), await second.asks_handled()) == (1, 1)

    # Each guild numbers its own questions, in the one store both processes write to.
    assert "Q1" in on_shard_0["content"] and "Q1" in on_shard_1["content"]
    assert sorted(fake.identified_shards) == [[0, 2], [1, 2]]
    # Each process catches up on the guilds of its own shard only.
    for process in (first, second):
        caught_up = set(re.findall(r"catching up in guild (\d+)", process.log.read_text()))
        assert caught_up == {g for g in fake.guild_ids if (int(g) >> 22) % 2 == process.shard}
    # Each guild's commands are synced once, by the process of its shard, not by both.
    synced = fake.bot_calls("PUT", rf"/applications/{fake.application_id}/guilds/\d+/commands")
    assert sorted(call.path.split("/")[4] for call in synced) == sorted(fake.guild_ids)
