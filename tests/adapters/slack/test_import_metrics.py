"""`qabot_import_messages_total`: the messages an import wrote, counted as its batches commit.

An import runs in a process of its own; with `[ops] enabled` it serves `/metrics` (and
`/healthz`, `/readyz`) for as long as it runs.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from adapters.ops.prometheus import PrometheusMetrics
from adapters.slack.importer import slack_import_source
from bot.domain import PostId, PostKind
from bot.importing import Importer, ImportOptions, ImportSummary
from bot.ports import Store
from bot.service import utc_now
from bot.settings import Settings
from storage import open_store
from tests.adapters.importing import QABOT, ROOT, Quiet
from tests.adapters.slack.fake_slack import BOT_TOKEN, CHANNEL_ID, FakeSlack
from tests.adapters.slack.test_import import TEAM, people  # noqa: F401  people: the fixture
from tests.adapters.slack.world import ALICE, BOB, CAROL

COUNTER = "qabot_import_messages_total"


def _threads(fake: FakeSlack, count: int) -> None:
    """`count` questions with two answers each, and as many chatter threads."""
    for n in range(count):
        asked = fake.add_top_message(CHANNEL_ID, ALICE, f"Career question {n}?")
        fake.add_message(CHANNEL_ID, BOB, f"Answer {n}", thread_ts=asked)
        fake.add_message(CHANNEL_ID, CAROL, f"Another answer {n}", thread_ts=asked)
        chatter = fake.add_top_message(CHANNEL_ID, ALICE, f"Lunch plan {n}")
        fake.add_message(CHANNEL_ID, BOB, "Sure", thread_ts=chatter)


async def _import(settings: Settings, store: Store, metrics: PrometheusMetrics) -> ImportSummary:
    options = ImportOptions((CHANNEL_ID,))
    async with slack_import_source(settings, options.channels) as source:
        importer = Importer(
            store=store, settings=settings, source=source, workspace=TEAM, clock=utc_now,
            metrics=metrics,
        )  # fmt: skip
        return await importer.run(options, Quiet())


def _counted(metrics: PrometheusMetrics) -> float:
    return metrics.registry.get_sample_value(COUNTER) or 0.0


async def test_the_counter_moves_by_the_messages_imported_and_not_on_a_second_run(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    _threads(fake_slack, 20)
    metrics = PrometheusMetrics()

    first = await _import(slack_settings, store, metrics)
    after_first = _counted(metrics)
    second = await _import(slack_settings, store, metrics)

    assert (first.questions, first.answers) == (20, 40)
    assert after_first == 60 == await _posts(store)
    assert (second.questions, second.answers, _counted(metrics)) == (0, 0, 60)


async def _posts(store: Store) -> int:
    """Questions and answers on the board."""
    count = 0
    for kind in PostKind:
        number = 1
        while await store.get_post(TEAM, PostId(kind, number)) is not None:
            number += 1
        count += number - 1
    return count


async def test_a_running_import_serves_metrics_that_match_what_it_committed(
    fake_slack: FakeSlack, slack_settings: Settings, tmp_path: Path
) -> None:
    _threads(fake_slack, 30)
    process = await asyncio.create_subprocess_exec(
        *QABOT, "import", "slack", "--channel", CHANNEL_ID,
        env=_env(fake_slack, slack_settings), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        url = await _metrics_url(process)
        await fake_slack.wait_for_call("conversations.replies", count=15, within=30)
        held = fake_slack.hold("conversations.replies")  # the run stops reading mid-way
        await asyncio.wait_for(held.arrived.wait(), 10)
        counted, stored = await _settled(url, slack_settings)
        held.release()
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert 0 < counted == stored < 90
    assert process.returncode == 0, err.decode()
    assert "imported 30 questions, 60 answers" in out.decode()


def _env(fake: FakeSlack, settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_BASE_URL": fake.api_url,
        "QABOT_STORAGE_URL": settings.storage.url,
        "QABOT_OPS_ENABLED": "true",
        "QABOT_OPS_PORT": "0",  # any free port: the log line names it
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


async def _metrics_url(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    while line := await asyncio.wait_for(process.stderr.readline(), 30):
        if found := re.search(rb"(http://[\d.]+:\d+)/healthz", line):
            return f"{found[1].decode()}/metrics"
    raise AssertionError("the import never said where its ops endpoints are")


async def _settled(url: str, settings: Settings) -> tuple[float, int]:
    """The counter and the messages in the store, once the batch in flight has committed."""
    last: tuple[float, int] | None = None
    for _ in range(50):
        now = (await _scrape(url), await _stored(settings))
        if now == last:
            return now
        last = now
        await asyncio.sleep(0.1)
    raise AssertionError(f"never settled: {last}")


async def _scrape(url: str) -> float:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        text = await response.text()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == COUNTER:
                return float(sample.value)
    raise AssertionError(f"{COUNTER} is not in /metrics")


async def _stored(settings: Settings) -> int:
    store = await open_store(settings.storage.url)
    try:
        return await _posts(store)
    finally:
        await store.close()


async def test_a_taken_ops_port_stops_the_import_before_it_writes_with_one_line(
    fake_slack: FakeSlack, slack_settings: Settings, tmp_path: Path
) -> None:
    _threads(fake_slack, 3)
    with socket.socket() as taken:  # as `qabot run` on the same host would hold it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**_env(fake_slack, slack_settings), "QABOT_OPS_PORT": str(port)}
        process = await asyncio.create_subprocess_exec(
            *QABOT, "import", "slack", "--channel", CHANNEL_ID, env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), 30)

    said = [line for line in err.decode().splitlines() if line.startswith("qabot:")]
    assert process.returncode == 2 and "Traceback" not in err.decode()
    assert f"cannot listen on 127.0.0.1:{port}" in said[-1]
    assert f"QABOT_OPS_PORT={port + 1}" in said[-1]
    assert fake_slack.calls_to("conversations.replies") == []
    assert await _stored(slack_settings) == 0
