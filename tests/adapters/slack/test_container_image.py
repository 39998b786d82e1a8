"""What the Dockerfile's image runs, run outside a container (no Docker here): its entrypoint
with its environment serves, its HEALTHCHECK passes against it, and compose waits for
PostgreSQL to be healthy."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import sys
from pathlib import Path

from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET
from tests.adapters.slack.test_shutdown import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[3]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    found = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in found]


def one(name: str) -> str:
    (value,) = [args for instruction, args in instructions() if instruction == name]
    return value


def image_env() -> dict[str, str]:
    pairs = [p for i, args in instructions() if i == "ENV" for p in shlex.split(args)]
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_image_is_slim_and_runs_qabot_run_as_a_non_root_user() -> None:
    command = json.loads(one("ENTRYPOINT")) + json.loads(one("CMD"))
    assert "-slim" in one("FROM")
    assert one("USER") not in ("root", "0")
    assert command == ["qabot", "run"]


async def test_the_healthcheck_passes_against_what_the_image_runs(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        **image_env(),
        "QABOT_OPS_HOST": "127.0.0.1",
        "QABOT_OPS_PORT": str(free_port()),
    }
    env |= {
        "QABOT_STORAGE_URL": f"sqlite:///{tmp_path / 'qabot.db'}",
        "QABOT_SLACK_ENABLED": "true", "QABOT_SLACK_MODE": "http", "QABOT_SLACK_PORT": "0",
        "QABOT_RECONCILE_DAYS": "0", "SLACK_API_BASE_URL": fake_slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }  # fmt: skip
    qabot = str(Path(sys.executable).with_name("qabot"))
    entry = json.loads(one("ENTRYPOINT")) + json.loads(one("CMD"))
    process = await asyncio.create_subprocess_exec(
        qabot, *entry[1:], env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_until_serving(f"http://127.0.0.1:{env['QABOT_OPS_PORT']}/healthz")
        python, *check = json.loads(one("HEALTHCHECK").split("CMD", 1)[1])
        assert python == "python"
        health = await asyncio.create_subprocess_exec(sys.executable, *check, env=env)
        healthy = await asyncio.wait_for(health.wait(), 10)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
    assert (healthy, process.returncode) == (0, 0)


def test_compose_starts_both_qabot_processes_once_postgres_is_healthy() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert 'test: ["CMD", "pg_isready"' in compose
    assert compose.count("condition: service_healthy") == 2
    assert compose.count("build: .") == 2
