"""Every log line of a whole Slack scenario, at DEBUG and at INFO, in JSON: one object per line,
no secret, and nothing that names the asker of an anonymous question."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest

from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET, SignedClient
from tests.adapters.slack.test_shutdown import free_port, start_qabot, wait_until_serving

ASKER, ASKER_NAME = "U0ANONYM01", "Annie Nonymous"
BOB, CAROL = "U0BOB00002", "U0CAROL003"
SETTLE = 0.5  # the process works after it acknowledges


async def anonymous_scenario(fake: FakeSlack, events: SignedClient) -> None:
    """Ask anonymously, answer, vote, accept by the asker's ✅, list the top answers."""
    await events.command(builders.slash("/ask", "--anon Should I negotiate?", user=ASKER,
                                        response_url=fake.response_url("ask")))  # fmt: skip
    await fake.wait_for_call("chat.postMessage", within=10)
    await asyncio.sleep(SETTLE)
    question_ts = str(fake.posted()[-1]["ts"])
    reply = builders.thread_reply(user=BOB, text="Always, politely", thread_ts=question_ts)
    await events.event(reply)
    await asyncio.sleep(SETTLE)
    answer_ts = str(reply["event"]["ts"])
    for user, emoji in ((CAROL, "+1"), (ASKER, "+1"), (ASKER, "white_check_mark")):
        await events.event(builders.reaction(user=user, name=emoji, ts=answer_ts))
    await asyncio.sleep(SETTLE)
    await events.command(builders.slash("/top", "", user=CAROL, response_url=fake.response_url()))
    await asyncio.sleep(SETTLE)


async def logged_scenario(fake: FakeSlack, tmp_path: Path, level: str) -> str:
    """Everything `qabot run` wrote to stderr through the scenario, JSON logs at `level`."""
    fake.add_user(ASKER, ASKER_NAME)
    fake.add_user(BOB, "Bob Builder")
    fake.add_user(CAROL, "Carol Coder")
    port = free_port()
    extra = f'[logging]\nlevel = "{level}"\nformat = "json"\n'
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    process = await start_qabot(tmp_path, fake, url, port, extra=extra)
    events = SignedClient(f"http://127.0.0.1:{port}/slack/events")
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}/slack/events")
        await anonymous_scenario(fake, events)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        await events.close()
        if process.returncode is None:
            process.kill()
    return stderr.decode()


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_no_log_line_holds_a_secret_or_names_an_anonymous_asker(
    fake_slack: FakeSlack, tmp_path: Path, level: str
) -> None:
    logged = (await logged_scenario(fake_slack, tmp_path, level)).lower()
    for banned in (BOT_TOKEN, SIGNING_SECRET, ASKER, ASKER_NAME, "annie"):
        assert banned.lower() not in logged, banned


async def test_every_json_line_is_one_object_and_event_lines_name_workspace_and_event(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    lines = [json.loads(line) for line in (await logged_scenario(fake_slack, tmp_path, "INFO"))
             .splitlines()]  # fmt: skip
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert all(line["time"].endswith("+00:00") for line in lines)
    (vote, *_) = [line for line in lines if line["message"].startswith("vote")]
    assert vote["platform"] == "slack" and vote["workspace"] == TEAM_ID
    assert vote["event_id"].startswith("Ev")
