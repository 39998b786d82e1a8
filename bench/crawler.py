"""A crawler in a process of its own, as a search engine's is (bench.web_pages): fetches the
given site's question pages at a steady rate, whatever each takes, from its first line on until
its stdin is closed. `python -m bench.crawler BASE RATE SCALE SEED`."""

from __future__ import annotations

import asyncio
import random
import sys
import time

import aiohttp

from bench.dataset import WORKSPACE, Shape

__all__ = ["fetch", "question_paths"]


def question_paths(shape: Shape, count: int, *, seed: int = 5) -> list[str]:
    platform, workspace = WORKSPACE
    rng = random.Random(seed)
    numbers = [rng.randint(1, shape.questions) for _ in range(count)]
    return [f"/q/{platform}/{workspace}/{n}" for n in numbers]


async def fetch(http: aiohttp.ClientSession, path: str) -> None:
    async with http.get(path) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")


async def _crawl(base: str, paths: list[str], rate: float, stop: asyncio.Event) -> None:
    """A page that fails ends the crawl (the group cancels the rest) with its error."""
    fetched = 0
    async with aiohttp.ClientSession(base) as http, asyncio.TaskGroup() as pages:
        started = time.perf_counter()
        while not stop.is_set():
            pages.create_task(fetch(http, paths[fetched % len(paths)]))
            fetched += 1
            await asyncio.sleep(max(0.0, started + fetched / rate - time.perf_counter()))


async def main(base: str, rate: float, scale: float, seed: int) -> None:
    stop = asyncio.Event()
    crawler = asyncio.create_task(
        _crawl(base, question_paths(Shape.scaled(scale), 1000, seed=seed), rate, stop)
    )
    print(base, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    await crawler


if __name__ == "__main__":
    base, rate, scale, seed = sys.argv[1:]
    try:
        asyncio.run(main(base, float(rate), float(scale), int(seed)))
    except* (RuntimeError, aiohttp.ClientError) as failed:
        sys.exit(f"crawler: {failed.exceptions[0]}")
