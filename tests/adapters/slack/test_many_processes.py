"""Two `qabot run` processes behind one Slack HTTP endpoint, on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed_client import SignedClient
from tests.adapters.slack.test_shutdown import (
    ANSWER_TS,
    free_port,
    seed_answer,
    start_qabot,
    ups_of_a1,
    wait_until_serving,
)
from tests.conftest import FreshUrl

VOTER = "U0CAROL003"


async def until_counted(url: str, *, within: float = 10) -> None:
    for _ in range(int(within * 10)):
        if await ups_of_a1(url) == 1:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the vote was never counted")


async def test_a_retry_reaching_the_other_process_is_not_handled_again(
    fake_slack: FakeSlack, tmp_path: Path, fresh_url: FreshUrl
) -> None:
    url = await fresh_url("postgres")
    await seed_answer(url)
    fake_slack.add_user(VOTER, "Carol Coder")
    ports = [free_port(), free_port()]
    processes = []
    for name, port in zip(("a", "b"), ports, strict=True):
        (tmp_path / name).mkdir()
        processes.append(await start_qabot(tmp_path / name, fake_slack, url, port))
    endpoints = [SignedClient(f"http://127.0.0.1:{port}/slack/events") for port in ports]
    vote = builders.reaction(user=VOTER, name="+1", ts=ANSWER_TS)
    try:
        for port in ports:
            await wait_until_serving(f"http://127.0.0.1:{port}/slack/events")
        await endpoints[0].event(vote)
        await until_counted(url)
        await endpoints[1].event(vote, retry_num=1)
        await asyncio.sleep(1.0)  # what the second process would do, it has done by now
        for process in processes:
            process.send_signal(signal.SIGTERM)
        logs = [(await asyncio.wait_for(p.communicate(), 10))[1].decode() for p in processes]
    finally:
        for endpoint in endpoints:
            await endpoint.close()
        for process in processes:
            if process.returncode is None:
                process.kill()
    looked_up = [c for c in fake_slack.calls_to("users.info") if c.params.get("user") == VOTER]
    assert len(looked_up) == 1
    assert "already handled; skipping the redelivery" in logs[1]
    assert await ups_of_a1(url) == 1
