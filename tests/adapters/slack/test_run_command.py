"""`qabot run` with [slack] enabled, started as an operator starts it, in its own process."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, CHANNEL_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET
from tests.adapters.slack.world import block_text

ROOT = Path(__file__).resolve().parents[3]
# What the installed `qabot` script runs; PYTHONPATH finds the checkout even if not installed.
QABOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


async def _qabot_run(
    fake: FakeSlack, tmp_path: Path, *, bot_token: str, api_url: str | None = None
) -> asyncio.subprocess.Process:
    config = tmp_path / "qabot.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n[slack]\nenabled = true\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": bot_token,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": api_url or fake.api_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return await asyncio.create_subprocess_exec(
        *QABOT, "run", "--config", str(config),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_run_connects_over_socket_mode_and_answers_ask(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.add_user("U222222222", "Alice")
    process = await _qabot_run(fake_slack, tmp_path, bot_token=BOT_TOKEN)
    try:
        await fake_slack.wait_for_socket(within=20)
        fields = builders.slash("/ask", "Run for real?", response_url=fake_slack.response_url())
        ack = await fake_slack.push_envelope("slash_commands", fields)
        await fake_slack.wait_for_call("chat.postMessage", within=10)
    finally:
        process.terminate()
        _, stderr = await process.communicate()

    assert ack["envelope_id"]
    assert "Run for real?" in block_text(fake_slack.posted(CHANNEL_ID)[0])
    logged = stderr.decode()
    assert "Socket Mode" in logged
    assert "WARNING" not in logged and "Traceback" not in logged
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in logged


async def test_run_with_a_wrong_token_exits_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    process = await _qabot_run(fake_slack, tmp_path, bot_token="xoxb-revoked")
    _, stderr = await asyncio.wait_for(process.communicate(), 20)

    output = stderr.decode()
    (store, line) = [line for line in output.splitlines() if line.startswith("qabot:")]
    assert store.startswith("qabot: using the store at sqlite:///")
    assert process.returncode == 2 and "Traceback" not in output
    assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line
    assert "xoxb-revoked" not in output


async def test_run_with_slack_out_of_reach_exits_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    process = await _qabot_run(fake_slack, tmp_path, bot_token=BOT_TOKEN, api_url=unreachable)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)

    output = stderr.decode()
    assert process.returncode == 2 and "Traceback" not in output
    assert output.splitlines()[-1] == (
        f"qabot: cannot reach Slack at {unreachable} (ClientConnectorError): "
        "check [slack] api_base_url and the network"
    )
