"""Two `qabot run` processes behind one Slack HTTP endpoint, on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

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


async def until_counted(url: str, *, ups: int = 1, within: float = 10) -> None:
    for _ in range(int(within * 10)):
        if await ups_of_a1(url) == ups:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the answer never reached {ups} up-votes")


async def until_listening(process: asyncio.subprocess.Process, *, within: float = 20) -> str:
    """The process's log up to the line saying it listens for Slack's events."""
    assert process.stderr is not None
    said = ""
    while "Slack events at" not in said:
        line = await asyncio.wait_for(process.stderr.readline(), within)
        if not line:
            raise AssertionError(f"qabot run exited before listening: {said}")
        said += line.decode()
    return said


@asynccontextmanager
async def two_processes(
    tmp_path: Path, fake_slack: FakeSlack, url: str, *, extra: str = ""
) -> AsyncIterator[tuple[list[asyncio.subprocess.Process], list[SignedClient]]]:
    """Two `qabot run` processes on one database, each serving Slack's events on a port of its
    own, and a signed client for each; killed at the end if still running."""
    ports = [free_port(), free_port()]
    processes: list[asyncio.subprocess.Process] = []
    endpoints = [SignedClient(f"http://127.0.0.1:{port}/slack/events") for port in ports]
    try:
        for name, port in zip(("a", "b"), ports, strict=True):
            (tmp_path / name).mkdir()
            processes.append(await start_qabot(tmp_path / name, fake_slack, url, port, extra=extra))
        for port in ports:
            await wait_until_serving(f"http://127.0.0.1:{port}/slack/events")
        yield processes, endpoints
    finally:
        for endpoint in endpoints:
            await endpoint.close()
        for process in processes:
            if process.returncode is None:
                process.kill()


async def stop_and_read_logs(processes: list[asyncio.subprocess.Process]) -> list[str]:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    return [(await asyncio.wait_for(p.communicate(), 10))[1].decode() for p in processes]


async def test_a_retry_reaching_the_other_process_is_not_handled_again(
    fake_slack: FakeSlack, tmp_path: Path, fresh_url: FreshUrl
) -> None:
    url = await fresh_url("postgres")
    await seed_answer(url)
    fake_slack.add_user(VOTER, "Carol Coder")
    vote = builders.reaction(user=VOTER, name="+1", ts=ANSWER_TS)
    async with two_processes(tmp_path, fake_slack, url) as (processes, endpoints):
        await endpoints[0].event(vote)
        await until_counted(url)
        await endpoints[1].event(vote, retry_num=1)
        await asyncio.sleep(1.0)  # what the second process would do, it has done by now
        logs = await stop_and_read_logs(processes)
    looked_up = [c for c in fake_slack.calls_to("users.info") if c.params.get("user") == VOTER]
    assert len(looked_up) == 1
    assert "already handled; skipping the redelivery" in logs[1]
    assert await ups_of_a1(url) == 1


async def test_two_processes_share_one_port_and_both_count_votes(
    fake_slack: FakeSlack, tmp_path: Path, fresh_url: FreshUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await fresh_url("postgres")
    await seed_answer(url)
    voters = [f"U0SHARE{n:03d}" for n in range(24)]
    for voter in voters:
        fake_slack.add_user(voter, f"Voter {voter}")
    monkeypatch.setenv("QABOT_SLACK_REUSE_PORT", "true")
    port = free_port()
    processes = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        processes.append(await start_qabot(tmp_path / name, fake_slack, url, port))
    events_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        started = [await until_listening(process) for process in processes]
        for voter in voters:  # a connection each: the kernel picks a process per connection
            endpoint = SignedClient(events_url)
            try:
                reply = await endpoint.event(builders.reaction(user=voter, name="+1", ts=ANSWER_TS))
            finally:
                await endpoint.close()
            assert reply.status == 200
        await until_counted(url, ups=len(voters))
        logs = [
            early + later
            for early, later in zip(started, await stop_and_read_logs(processes), strict=True)
        ]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    assert [process.returncode for process in processes] == [0, 0], logs
    assert all("reaction on A1" in log for log in logs), logs
