"""Latency: `/top` through the service, and the Slack app's HTTP acknowledgement under load.

The Slack part runs the real slack-bolt app (`qabot run` in HTTP mode) against the test suite's
fake Web API, served by a process of its own (bench.slack_api) as Slack's servers would be; a
third process (bench.ack_load) sends the app signed requests on loopback at a steady rate:
reactions on linked hot answers, with a `/top` slash command every twentieth request. Latency is
request to HTTP response.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from bench.dataset import Shape
from bot.domain import MessageRef, TopQuery, Window, WorkspaceRef
from bot.service import QAService
from bot.settings import Secrets, Settings, SlackSettings, StorageSettings

__all__ = ["ack_latencies", "percentile", "top_latencies"]

_WARM_UP = 10  # untimed /top calls before the timed ones


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def top_latencies(
    service: QAService, workspace: WorkspaceRef, shape: Shape, n: int
) -> list[float]:
    query = TopQuery(channel_id=shape.hottest_channel, window=Window.WEEK)
    # Steady state, as a bot answering /top all day serves it: the first calls after the ingest
    # and the recount prepare statements on fresh connections and read pages the recount pushed
    # out of the caches.
    for _ in range(_WARM_UP):
        await service.top(workspace=workspace, query=query)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        ranked = await service.top(workspace=workspace, query=query)
        samples.append((time.perf_counter() - started) * 1000)
        assert ranked, "the hottest channel has answers this week"
    return samples


async def ack_latencies(
    service: QAService, shape: Shape, *, rate: int, seconds: float, linked: int = 1000
) -> list[float]:
    from adapters.slack.runtime import EVENTS_PATH, start_slack
    from bench.slack_wire import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID

    workspace = WorkspaceRef("slack", TEAM_ID)
    channel = shape.hottest_channel
    for n in range(1, linked + 1):
        await service.store.link_answer(workspace, n, MessageRef(channel, f"1600000000.{n:06d}"))
    fake = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.slack_api",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert fake.stdin is not None and fake.stdout is not None
    fake_url = (await fake.stdout.readline()).decode().strip()
    settings = Settings(
        storage=StorageSettings(url="sqlite:////unused.db"),
        slack=SlackSettings(enabled=True, mode="http", port=0, api_base_url=f"{fake_url}/api/"),
        secrets=Secrets(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token=APP_TOKEN,
        ),
    )
    runner = await start_slack(settings=settings, service=service)
    try:
        events = f"http://127.0.0.1:{runner.port}{EVENTS_PATH}"
        load = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ack_load", events, str(rate), str(seconds), channel,
            str(linked), f"{fake_url}/respond", stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await load.communicate()
        assert load.returncode == 0, "the load generator failed"
        await runner.bot.settle(within=30)
    finally:
        await runner.close()
        fake.stdin.close()
        await fake.wait()
    samples: list[float] = json.loads(out)
    return samples


def summary(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms"
