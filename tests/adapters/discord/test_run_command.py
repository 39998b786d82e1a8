"""`qabot run` with [discord] enabled, as an operator starts it, in its own process."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from adapters.discord.runtime import run_discord
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import Settings, load_settings
from storage import open_store

from .fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[3]
# What the installed `qabot` script runs; PYTHONPATH finds the checkout even if not installed.
QABOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


async def _qabot_run(
    fake: FakeDiscord, tmp_path: Path, *, token: str, api_url: str | None = None
) -> asyncio.subprocess.Process:
    config = tmp_path / "qabot.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n'
        f'[discord]\nenabled = true\nguild_ids = ["{fake.guild_id}"]\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "DISCORD_TOKEN": token,
        "DISCORD_API_BASE_URL": api_url or fake.api_url,
        "DISCORD_GATEWAY_URL": str(fake.gateway_url),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return await asyncio.create_subprocess_exec(
        *QABOT, "run", "--config", str(config),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_run_connects_and_prints_the_invite_url(fake: FakeDiscord, tmp_path: Path) -> None:
    process = await _qabot_run(fake, tmp_path, token=fake.token)
    assert process.stderr is not None
    seen = []
    try:
        async with asyncio.timeout(20):
            while not any("invite the bot with" in line for line in seen):
                seen.append((await process.stderr.readline()).decode())
    finally:
        process.terminate()
        await process.wait()
    invite = next(line for line in seen if "invite the bot with" in line)
    assert f"client_id={fake.application_id}" in invite
    assert "scope=bot+applications.commands" in invite
    assert fake.token not in "".join(seen)


async def test_run_with_a_wrong_token_exits_with_one_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    process = await _qabot_run(fake, tmp_path, token="wrong-token")
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("qabot:")]
    assert lines.pop(0).startswith("qabot: using the store at sqlite:///")
    assert process.returncode == 2
    assert len(lines) == 1 and "Reset Token" in lines[0]
    assert "Traceback" not in stderr.decode()


def _closed_port() -> int:
    """A 127.0.0.1 port nothing listens on: bound for a moment, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_with_discord_out_of_reach_exits_with_one_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    unreachable = f"http://127.0.0.1:{_closed_port()}/api/v10"
    process = await _qabot_run(fake, tmp_path, token=fake.token, api_url=unreachable)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    output = stderr.decode()
    assert process.returncode == 2 and "Traceback" not in output
    assert output.splitlines()[-1] == (
        f"qabot: cannot reach Discord at {unreachable} (ClientConnectorError): "
        "check [discord] api_base_url and the network"
    )


def _settings(fake: FakeDiscord, tmp_path: Path, *, gateway_url: str) -> Settings:
    return load_settings(
        None,
        {
            "QABOT_DISCORD_ENABLED": "true",
            "QABOT_DISCORD_GUILD_IDS": fake.guild_id,
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": gateway_url,
            "QABOT_STORAGE_URL": f"sqlite:///{tmp_path / 'qa.db'}",
        },
    )


async def test_a_gateway_out_of_reach_at_start_ends_with_one_line(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = f"ws://127.0.0.1:{_closed_port()}/gateway"
    settings = _settings(fake, tmp_path, gateway_url=gateway)
    store = await open_store(settings.storage.url)
    service = QAService(store=store, settings=settings)
    try:
        with pytest.raises(SettingsError) as raised:
            await asyncio.wait_for(run_discord(settings, service, start_within=2.0), 20)
    finally:
        await store.close()
    assert str(raised.value).startswith(f"cannot reach the Discord gateway at {gateway}")
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]


async def test_a_lost_gateway_that_does_not_come_back_ends_with_one_line(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(fake, tmp_path, gateway_url=str(fake.gateway_url))
    store = await open_store(settings.storage.url)
    service = QAService(store=store, settings=settings)
    running = asyncio.create_task(run_discord(settings, service, give_up_after=2.0))
    try:
        await fake.wait_connected(within=10)
        await fake.close()  # Discord, REST and gateway, gone for good
        with pytest.raises(SettingsError) as raised:
            await asyncio.wait_for(running, 20)
    finally:
        running.cancel()
        await store.close()
    assert str(raised.value).startswith(
        f"lost the connection to the Discord gateway at {fake.gateway_url}"
    )
    reconnects = [r for r in caplog.records if "Attempting a reconnect" in r.getMessage()]
    assert reconnects and not [r for r in caplog.records if r.exc_info or r.exc_text]
