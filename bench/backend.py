"""One backend's whole measurement, run in its own process: `python -m bench.backend URL SCALE`.

Its own process so that `rss_mib` is this backend's bot (store, service, both adapters loaded,
after the run) and not the data-set builder's or the other backend's memory. Prints progress lines
and, last, one JSON object.

The raw-insert baseline runs in a process of its own too (`--raw URL SCALE`, one round per line
on stdin, its seconds back on stdout; the time is taken inside it, around the inserts only): in
this process its sqlite3 connection's 32 MiB page cache was allocated between the bot's own
allocations and, once closed, stayed resident as holes in the heap (measured: about 10 MiB of
`rss_mib` that was the benchmark's, not the bot's).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import time

from bench import ack_capacity, import_slack, ingest, latency, web_pages
from bench.dataset import WORKSPACE, Shape
from bot.domain import WorkspaceRef
from bot.service import QAService
from bot.settings import Settings
from storage import open_store

__all__ = ["measure"]


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def startup_s(url: str) -> float:
    """Process start to ready: interpreter, imports of both adapters, store open, app built."""
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-m", "bench.ready", url], capture_output=True, text=True, check=True
    )
    assert child.stdout.strip() == "ready", child.stdout + child.stderr
    return time.perf_counter() - started


async def _raw(url: str, shape: Shape) -> tuple[ingest.Runner, ingest.Cleanup]:
    if url.startswith("sqlite"):
        return ingest.raw_sqlite(url.removeprefix("sqlite:///"), shape)
    return await ingest.raw_postgres(url, shape)


async def _raw_process(url: str, scale: float) -> tuple[ingest.Runner, ingest.Cleanup]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.backend", "--raw", url, str(scale),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    stdin, stdout = child.stdin, child.stdout

    async def ask(line: str) -> str:
        stdin.write(f"{line}\n".encode())
        await stdin.drain()
        answer = (await stdout.readline()).decode().strip()
        if not answer:
            raise RuntimeError(f"the raw-insert process exited ({await child.wait()})")
        return answer

    async def run(n: int) -> float:
        return float(await ask(str(n)))

    async def cleanup() -> None:
        await ask("cleanup")
        stdin.close()
        await child.wait()

    return run, cleanup


async def _recount_process(url: str) -> int:
    """The check that every score is exact, as an operator runs it: `qabot recount` in a
    process of its own, so its temporary memory (a GROUP BY over every vote) is not the bot's."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['recount']))",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "QABOT_STORAGE_URL": url},
    )  # fmt: skip
    out, _ = await child.communicate()
    said = out.decode()
    if child.returncode != 0 or (found := re.search(r"(\d+) corrected", said)) is None:
        raise RuntimeError(f"qabot recount failed ({child.returncode}): {said}")
    return int(found[1])


def _raw_child(url: str, scale: float) -> None:
    """The raw-insert baseline's process: a number of rows per line in, seconds out."""

    async def serve() -> None:
        run, cleanup = await _raw(url, Shape.scaled(scale))
        for line in sys.stdin:
            if line.strip() == "cleanup":
                await cleanup()
                print("done", flush=True)
                return
            print(repr(await run(int(line))), flush=True)

    asyncio.run(serve())


async def measure(url: str, scale: float) -> dict[str, float]:
    # Both adapters loaded, as `qabot run` does with both platforms enabled.
    for module in ("adapters.slack.app", "adapters.discord.client", "discord", "slack_bolt"):
        importlib.import_module(module)

    shape = Shape.scaled(scale)
    workspace = WorkspaceRef(*WORKSPACE)
    store = await open_store(url)
    service = QAService(store=store, settings=Settings())
    raw, raw_cleanup = await _raw_process(url, scale)
    events = ingest.reaction_events(shape, max(20_000, int(200_000 * scale)))
    result = await ingest.interleaved(
        service=service, workspace=workspace, events=events, raw=raw,
        rounds=10, raw_per_round=max(2_000, int(20_000 * scale)), callers=256,
    )  # fmt: skip
    _say(f"ingest {result.events_per_s:,.0f} events/s, raw {result.raw_per_s:,.0f}/s")
    del events  # the benchmark's own script of events is no part of the bot's memory
    gc.collect()
    await raw_cleanup()
    drifted = await _recount_process(url)
    _say(f"recount after the run: {drifted} posts changed (0 = every score exact)")
    if drifted:
        raise SystemExit(f"scores drifted on {drifted} posts")
    top = await latency.top_latencies(service, workspace, shape, 300)
    _say(f"/top {latency.summary(top)}")
    # Memory before the ack search: its steps past capacity queue thousands of requests at
    # once, and the heap they leave behind would measure the overload, not the bot.
    memory = rss_mib()
    acks = await ack_capacity.measure(service, shape, seconds=2 if scale < 1 else 5)
    await store.close()
    measured = {
        "ingest_events_per_s": round(result.events_per_s),
        "raw_insert_per_s": round(result.raw_per_s),
        "ingest_ratio": round(result.ratio, 3),
        "top_p50_ms": round(statistics.median(top), 3),
        "top_p99_ms": round(latency.percentile(top, 0.99), 3),
        **acks,
        "rss_mib": round(memory, 1),
        "startup_s": round(startup_s(url), 3),
    }
    measured |= await web_pages.measure(url, scale)  # after rss_mib: the web view's own store
    measured |= import_slack.run(url, scale)  # after rss_mib: its own process
    return measured | await _other_transports(url, shape, workspace)


async def _other_transports(url: str, shape: Shape, workspace: WorkspaceRef) -> dict[str, float]:
    """Socket Mode's capacity ratio and `/top`'s overhead through the adapter, each on a store
    and service of its own (after rss_mib, like the web view)."""
    from bench import socket_ack, top_overhead

    store = await open_store(url)
    try:
        service = QAService(store=store, settings=Settings())
        measured = await socket_ack.measure(service, shape)
        return measured | await top_overhead.measure(service, url, workspace, shape)
    finally:
        await store.close()


def main() -> None:
    if sys.argv[1] == "--raw":
        _raw_child(sys.argv[2], float(sys.argv[3]))
        return
    url, scale = sys.argv[1], float(sys.argv[2])
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(json.dumps(asyncio.run(measure(url, scale))), flush=True)


if __name__ == "__main__":
    main()
