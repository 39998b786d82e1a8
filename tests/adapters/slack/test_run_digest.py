"""`qabot run` starts the digest scheduler: a digest due now is posted once through Slack."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import ChannelRef, UserRef, WorkspaceRef
from bot.service import QAService
from bot.settings import Settings
from storage.sqlite import SqliteStore
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, CHANNEL_ID, TEAM_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET
from tests.adapters.slack.test_run_command import QABOT, ROOT


async def _waiting_question(db: Path) -> None:
    store = await SqliteStore.open(db)
    try:
        service = QAService(store=store, settings=Settings())
        team = WorkspaceRef("slack", TEAM_ID)
        await service.ask(
            asker=UserRef(team, "U222222222", "Alice"),
            channel=ChannelRef(team, CHANNEL_ID),
            text="Anyone hiring juniors?",
        )
    finally:
        await store.close()


async def test_run_posts_a_digest_that_is_due(fake_slack: FakeSlack, tmp_path: Path) -> None:
    db = tmp_path / "qa.db"
    await _waiting_question(db)
    due = datetime.now(UTC).strftime("%H:%M")  # due this minute: posted at the first tick
    config = tmp_path / "qabot.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{db}"\n[slack]\nenabled = true\n'
        f'[digest]\nchannels = ["slack:{TEAM_ID}:{CHANNEL_ID}"]\ncadence = "daily"\n'
        f'time = "{due}"\ntimezone = "UTC"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_BASE_URL": fake_slack.api_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *QABOT, "run", "--config", str(config),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        call = await fake_slack.wait_for_call("chat.postMessage", within=20)
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert call.params["channel"] == CHANNEL_ID
    shown = json.dumps(call.params["blocks"])
    assert "Top answers today" in shown and "Anyone hiring juniors?" in shown
    assert "Traceback" not in stderr.decode()
