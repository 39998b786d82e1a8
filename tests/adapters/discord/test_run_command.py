"""`qabot run` with [discord] enabled, as an operator starts it, in its own process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from .fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[3]
# What the installed `qabot` script runs; PYTHONPATH finds the checkout even if not installed.
QABOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


async def _qabot_run(
    fake: FakeDiscord, tmp_path: Path, *, token: str
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
        "DISCORD_API_BASE_URL": fake.api_url,
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
    assert process.returncode == 2
    assert len(lines) == 1 and "Reset Token" in lines[0]
    assert "Traceback" not in stderr.decode()
