"""`qabot run` stopped by its supervisor: what Slack was told is kept, and it exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.domain import ChannelRef, MessageRef, PostId, PostKind, UserRef, WorkspaceRef
from bot.service import QAService
from bot.settings import Settings, StorageSettings
from storage import open_store
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import BOT_TOKEN, CHANNEL_ID, TEAM_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET, SignedClient
from tests.adapters.slack.test_run_command import QABOT, ROOT

WORKSPACE = WorkspaceRef("slack", TEAM_ID)
ANSWER_TS = "1700000000.000200"
VOTERS = [f"U0VOTER{n:03d}" for n in range(30)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def seed_answer(url: str) -> None:
    """Q1 and its answer A1 (message ANSWER_TS), as if asked and answered earlier."""
    store = await open_store(url)
    service = QAService(store=store, settings=Settings(storage=StorageSettings(url=url)))
    alice, bob = UserRef(WORKSPACE, "U0ALICE001"), UserRef(WORKSPACE, "U0BOB00002")
    question = await service.ask(asker=alice, channel=ChannelRef(WORKSPACE, CHANNEL_ID), text="Q?")
    await service.link_question(question, message=MessageRef(CHANNEL_ID, "1700000000.000100"))
    await service.answer(
        author=bob, question=question.post_id, text="A.", message=MessageRef(CHANNEL_ID, ANSWER_TS)
    )
    await store.close()


async def ups_of_a1(url: str) -> int:
    store = await open_store(url)
    try:
        answer = await store.get_post(WORKSPACE, PostId(PostKind.ANSWER, 1))
    finally:
        await store.close()
    assert answer is not None
    return answer.ups


async def start_qabot(
    tmp_path: Path, fake: FakeSlack, url: str, slack_port: int, *, extra: str = ""
) -> asyncio.subprocess.Process:
    """`qabot run` in Slack HTTP mode with catch-up off; `extra` is more TOML."""
    config = tmp_path / "qabot.toml"
    config.write_text(
        f'[storage]\nurl = "{url}"\n'
        f'[slack]\nenabled = true\nmode = "http"\nport = {slack_port}\n'
        f"[reconcile]\ndays = 0\n{extra}",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": fake.api_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return await asyncio.create_subprocess_exec(
        *QABOT, "run", "--config", str(config),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def wait_until_serving(url: str, *, within: float = 20) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(int(within * 10)):
            try:
                async with session.get(url) as response:
                    if response.status in (200, 405):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing served {url} within {within} s")


async def vote_burst_then_sigterm(process: asyncio.subprocess.Process, events: SignedClient) -> int:
    """30 votes at once; SIGTERM once half are acknowledged; return how many were."""
    sends = [
        asyncio.ensure_future(events.event(builders.reaction(user=voter, name="+1", ts=ANSWER_TS)))
        for voter in VOTERS
    ]
    acknowledged = 0
    for send in asyncio.as_completed(sends):
        try:
            acknowledged += (await send).status == 200
        except aiohttp.ClientError:
            continue  # sent after the signal: refused, never acknowledged
        if acknowledged == len(VOTERS) // 2:
            process.send_signal(signal.SIGTERM)
    return acknowledged


async def test_sigterm_keeps_every_acknowledged_vote_and_exits_0(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    await seed_answer(url)
    for voter in VOTERS:
        fake_slack.add_user(voter, voter)
    fake_slack.slow["users.info"] = 0.5  # every vote is still being worked on at the signal
    port = free_port()
    process = await start_qabot(tmp_path, fake_slack, url, port)
    events = SignedClient(f"http://127.0.0.1:{port}/slack/events")
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}/slack/events")
        acknowledged = await vote_burst_then_sigterm(process, events)
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        await events.close()
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    assert acknowledged >= len(VOTERS) // 2
    assert await ups_of_a1(url) == acknowledged


async def test_run_with_ops_reports_ready_once_slack_serves(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    ops_port = free_port()
    ops = f"[ops]\nenabled = true\nport = {ops_port}\n"
    process = await start_qabot(
        tmp_path, fake_slack, f"sqlite:///{tmp_path / 'qa.db'}", free_port(), extra=ops
    )
    try:
        await wait_until_serving(f"http://127.0.0.1:{ops_port}/healthz")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{ops_port}/readyz") as response,
        ):
            status, body = response.status, await response.json()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
    assert (status, body) == (200, {"store": "ok", "slack": "ok"})
    assert process.returncode == 0


async def test_ops_and_web_on_one_port_are_served_by_one_server(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    both = f"[ops]\nenabled = true\nport = {port}\n[web]\nenabled = true\nport = {port}\n"
    process = await start_qabot(
        tmp_path, fake_slack, f"sqlite:///{tmp_path / 'qa.db'}", free_port(), extra=both
    )
    statuses = []
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}/healthz")
        async with aiohttp.ClientSession() as session:
            for path in ("/healthz", "/readyz", "/metrics", "/"):
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    statuses.append(response.status)
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
    assert (statuses, process.returncode) == ([200, 200, 200, 200], 0)


async def test_run_with_the_ops_port_in_use_exits_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await start_qabot(
            tmp_path, fake_slack, f"sqlite:///{tmp_path / 'qa.db'}", free_port(),
            extra=f"[ops]\nenabled = true\nport = {port}\n",
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    output = stderr.decode()
    assert process.returncode == 2 and "Traceback" not in output and "Warning" not in output
    assert output.splitlines()[-1].startswith(f"qabot: [ops] cannot listen on 127.0.0.1:{port}")


def _children(pid: int) -> list[tuple[int, list[bytes]]]:
    """Each child process of `pid`, with its command line."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [(int(c), Path(f"/proc/{c}/cmdline").read_bytes().split(b"\0")) for c in children]


def _ended(pid: int) -> bool:
    """Gone, or a zombie whose new parent has not reaped it yet."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
async def test_the_page_process_ends_with_qabot_however_it_stops(
    fake_slack: FakeSlack, tmp_path: Path, stop: signal.Signals
) -> None:
    port = free_port()
    process = await start_qabot(
        tmp_path, fake_slack, f"sqlite:///{tmp_path / 'qa.db'}", free_port(),
        extra=f'[web]\nenabled = true\nport = {port}\nchannels = ["slack:{TEAM_ID}:*"]\n',
    )  # fmt: skip
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}/")
        [(page_process, command)] = _children(process.pid)
        assert b"adapters.web.page_process" in command
        process.send_signal(stop)
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
        for _ in range(100):
            if _ended(page_process):
                break
            await asyncio.sleep(0.05)
    finally:
        if process.returncode is None:
            process.kill()
    assert _ended(page_process)
    if stop is signal.SIGTERM:
        assert process.returncode == 0 and b"Traceback" not in stderr
