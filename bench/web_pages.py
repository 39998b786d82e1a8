"""The web view under load: how long a question's page and the front page take, and what a
crawler fetching pages at a steady rate (bench.crawler, a process of its own, as a search
engine's crawler is) costs the vote ingest in the bot's process.

The real site (adapters/web) is served on 127.0.0.1 from the benchmark's process as `qabot run`
serves it next to the adapters: on a port the bot's process binds, by its default page process
(`[web] workers`), publishing every public channel of the data set. Pages are fetched over HTTP
with aiohttp, so a time includes the request, the store reads, the template and the response.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import AsyncIterator, Sequence

import aiohttp

from adapters.web.runtime import site_served
from bench import ingest
from bench.ack_processes import Helper
from bench.crawler import fetch, question_paths
from bench.dataset import WORKSPACE, Shape
from bench.latency import percentile
from bot.domain import WorkspaceRef
from bot.service import QAService
from bot.settings import Settings, StorageSettings
from bot.web_settings import WebSettings
from storage import open_store

__all__ = ["measure"]

_WARM_UP = 10


@contextlib.asynccontextmanager
async def served(service: QAService, url: str) -> AsyncIterator[str]:
    """The site of the store at `url` on a free port, publishing the data set's workspace; its
    base URL."""
    platform, workspace = WORKSPACE
    # The public URL is the published one; the pages are fetched from the port bound.
    web_settings = WebSettings(
        enabled=True, channels=(f"{platform}:{workspace}:*",), public_url="http://127.0.0.1",
        port=0,
    )  # fmt: skip
    settings = Settings(storage=StorageSettings(url=url), web=web_settings)
    async with site_served(service, settings) as site:
        yield f"http://127.0.0.1:{site.port}"


async def page_latencies(base: str, paths: Sequence[str]) -> list[float]:
    """Milliseconds per page, one request at a time, after a few untimed ones."""
    samples = []
    async with aiohttp.ClientSession(base) as http:
        for path in paths[:_WARM_UP]:
            await fetch(http, path)
        for path in paths:
            started = time.perf_counter()
            await fetch(http, path)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _ingest_seconds(service: QAService, events: list[int], callers: int) -> float:
    async def no_raw(_: int) -> float:
        return 1.0

    result = await ingest.interleaved(
        service=service, workspace=WorkspaceRef(*WORKSPACE), events=events, raw=no_raw,
        rounds=1, raw_per_round=0, callers=callers,
    )  # fmt: skip
    return len(events) / result.events_per_s


async def _crawled_seconds(
    service: QAService, base: str, events: list[int], rate: float, *, scale: float, seed: int
) -> float:
    crawler = await Helper.start("bench.crawler", base, str(rate), str(scale), str(seed))
    try:
        seconds = await _ingest_seconds(service, events, callers=256)
    finally:
        await crawler.close()
    if crawler.process.returncode != 0:  # a page that did not answer 200 ends it with its error
        raise RuntimeError(f"the crawler failed ({crawler.process.returncode})")
    return seconds


# Without the crawler, with it, with it, without: the ingest's rate drifts as the store takes
# votes and the machine's other work comes and goes, and this order gives both sides the same
# mean position in the run, so a steady drift falls on both alike.
_ORDER = (False, True, True, False)


async def crawled_ingest(
    service: QAService, base: str, scale: float, *, count: int, rate: float
) -> tuple[float, float]:
    """Vote events per second without, then with, a crawler at `rate` pages a second: `count`
    fresh events each, on the same store, in alternating parts (`_ORDER`)."""
    events = ingest.reaction_events(Shape.scaled(scale), 2 * count, seed=23)
    part = len(events) // len(_ORDER)
    seconds = {False: 0.0, True: 0.0}
    for i, crawled in enumerate(_ORDER):
        chunk = events[i * part : (i + 1) * part]
        if crawled:
            seconds[True] += await _crawled_seconds(
                service,
                base,
                chunk,
                rate,
                scale=scale,
                seed=7 + i,  # other pages each time
            )
        else:
            seconds[False] += await _ingest_seconds(service, chunk, callers=256)
    per_side = part * len(_ORDER) // 2
    return per_side / seconds[False], per_side / seconds[True]


def p99(samples: list[float]) -> float:
    return round(percentile(samples, 0.99), 2)


async def measure(url: str, scale: float) -> dict[str, float]:
    """`web_question_p99_ms`, `web_index_p99_ms`, and `ingest_crawled_ratio`: the ingest rate
    with a crawler fetching 100 pages a second over the rate without it."""
    shape = Shape.scaled(scale)
    store = await open_store(url)
    service = QAService(store=store, settings=Settings())
    try:
        async with served(service, url) as base:
            questions = await page_latencies(base, question_paths(shape, 300))
            index = await page_latencies(base, ["/"] * 100)
            # Parts of several seconds at either size: at the quick size a part of 5,000 events
            # took about a second, and a checkpoint or a collection falling in one moved the
            # ratio by 0.1.
            count = 50_000
            alone, crawled = await crawled_ingest(service, base, scale, count=count, rate=100)
    finally:
        await store.close()
    _say(f"web: question page p99 {p99(questions)} ms, / p99 {p99(index)} ms; ingest "
         f"{alone:,.0f} events/s alone, {crawled:,.0f} with a crawler at 100 pages/s")  # fmt: skip
    return {
        "web_question_p99_ms": p99(questions),
        "web_index_p99_ms": p99(index),
        "ingest_crawled_ratio": round(crawled / alone, 3),
    }


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
