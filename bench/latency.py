"""Latency: `/top` through the service, and the Slack app's HTTP acknowledgement under load.

The Slack part runs the real slack-bolt app (`qabot run` in HTTP mode) against the test suite's
fake Web API; a separate process (bench.ack_load) sends it signed requests on loopback at a steady
rate: reactions on linked hot answers, with a `/top` slash command every twentieth request.
Latency is request to HTTP response.
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


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def top_latencies(
    service: QAService, workspace: WorkspaceRef, shape: Shape, n: int
) -> list[float]:
    query = TopQuery(channel_id=shape.hottest_channel, window=Window.WEEK)
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
    from adapters.slack_runtime import EVENTS_PATH, start_slack
    from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, TEAM_ID, FakeSlack
    from tests.slack.signed_client import SIGNING_SECRET

    workspace = WorkspaceRef("slack", TEAM_ID)
    channel = shape.hottest_channel
    for n in range(1, linked + 1):
        await service.store.link_answer(workspace, n, MessageRef(channel, f"1600000000.{n:06d}"))
    fake = await FakeSlack().start()
    settings = Settings(
        storage=StorageSettings(url="sqlite:////unused.db"),
        slack=SlackSettings(enabled=True, mode="http", port=0, api_base_url=fake.api_url),
        secrets=Secrets(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token=APP_TOKEN,
        ),
    )
    runner = await start_slack(settings=settings, service=service)
    for i in range(2000):
        fake.add_user(f"UACK{i:05d}", f"voter {i}")
    try:
        events = f"http://127.0.0.1:{runner.port}{EVENTS_PATH}"
        load = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ack_load", events, str(rate), str(seconds), channel,
            str(linked), f"{fake.base_url}/respond", stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await load.communicate()
        assert load.returncode == 0, "the load generator failed"
        await runner.bot.settle(within=30)
    finally:
        await runner.close()
        await fake.close()
    samples: list[float] = json.loads(out)
    return samples


def summary(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms"
