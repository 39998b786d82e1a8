"""The Slack HTTP acknowledgement's capacity, against a bare signed endpoint's, in one run.

Three helper processes, each on its own event loop as they would be in production: the Web API
stand-in (bench.slack_api) that the bot's `users.info` calls and `/top` replies reach, the bare
endpoint (bench.bare_ack), and one load generator (bench.ack_load) that measures both servers.
qabot's endpoint is the real slack-bolt app in HTTP mode, started with
`adapters.slack.runtime.start_slack` in the benchmark's process, on the benchmark's store.

A step sends the mix at one rate for a few seconds; `bench.capacity.find_capacity` steps and
bisects the rate. Between qabot's steps the bot finishes the work it acknowledged, so each step
starts from a quiet bot. `ack_p99_ms` is then measured at half of qabot's capacity: a latency,
not an overload.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.slack.runtime import EVENTS_PATH, SlackRunner, start_slack
from bench.ack_processes import LINKED, Helper, LoadGenerator, Step, cpu_seconds
from bench.capacity import find_capacity
from bench.dataset import WORKSPACE, Shape
from bot.domain import MessageRef, WorkspaceRef
from bot.service import QAService
from bot.settings import Secrets, Settings, SlackSettings, StorageSettings

__all__ = ["bench_settings", "cpu_per_request", "link_answers", "measure", "searcher"]

# Each server's search runs this many times, alternating, and its best capacity counts: other
# work on a shared machine only takes capacity away, and alternating spreads it over both.
_ROUNDS = 2
_LIMIT_MS = 50  # find_capacity's default limit


def bench_settings(api_url: str, *, storage_url: str = "sqlite:////unused.db") -> Settings:
    from bench.slack_wire import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET

    return Settings(
        storage=StorageSettings(url=storage_url),
        slack=SlackSettings(enabled=True, mode="http", port=0, api_base_url=f"{api_url}/api/"),
        secrets=Secrets(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token=APP_TOKEN,
        ),
    )


async def link_answers(service: QAService, channel: str) -> None:
    """Give the data set's answers 1..LINKED Slack messages in `channel`: the messages the load
    reacts to, so that each reaction is a vote the bot counts."""
    workspace = WorkspaceRef(*WORKSPACE)
    for n in range(1, LINKED + 1):
        await service.store.link_answer(workspace, n, MessageRef(channel, f"1600000000.{n:06d}"))


async def cpu_per_request(
    load: LoadGenerator,
    url: str,
    pid: int,
    *,
    rate: int,
    seconds: float,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> float:
    """The server's CPU microseconds per request at `rate`, its work after the responses
    included: unlike a latency, barely moved by other work on the machine."""
    before = cpu_seconds(pid)
    step = await load.step(url, rate, seconds)
    if settle is not None:
        await settle()
    return (cpu_seconds(pid) - before) / len(step.ms) * 1e6


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def searcher(
    load: LoadGenerator,
    url: str,
    seconds: float,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> Callable[[int], Awaitable[float]]:
    """`p99_at` for `find_capacity`: one step against `url`, then `settle` (the server's own
    work after its acknowledgements) before the next."""

    async def p99_at(rate: int) -> float:
        result = await load.step(url, rate, seconds)
        if settle is not None:
            await settle()
        return result.p99

    return p99_at


@dataclass(frozen=True)
class _Servers:
    qabot_url: str
    bare_url: str
    bare_pid: int
    respond_url: str
    runner: SlackRunner


@asynccontextmanager
async def _servers(service: QAService) -> AsyncIterator[_Servers]:
    api = await Helper.start("bench.slack_api")
    bare = await Helper.start("bench.bare_ack")
    runner = await start_slack(settings=bench_settings(api.url), service=service)
    try:
        qabot_url = f"http://127.0.0.1:{runner.port}{EVENTS_PATH}"
        yield _Servers(qabot_url, bare.url, bare.pid, f"{api.url}/respond", runner)
    finally:
        await runner.close(within=30)
        await bare.close()
        await api.close()


@asynccontextmanager
async def _warmed_up(
    service: QAService, shape: Shape
) -> AsyncIterator[tuple[LoadGenerator, _Servers]]:
    """Both servers and the load generator, after one untimed step at qabot's endpoint
    (connections, caches, the voters' users.info) and the work it left behind."""
    channel = shape.hottest_channel
    await link_answers(service, channel)
    async with _servers(service) as servers:
        load = await LoadGenerator.start(WORKSPACE[1], channel, servers.respond_url)
        try:
            await load.step(servers.qabot_url, 200, 1)
            await servers.runner.bot.settle(within=30)
            yield load, servers
        finally:
            await load.close()


async def measure(service: QAService, shape: Shape, *, seconds: float) -> dict[str, float]:
    """`ack_p99_ms`, `ack_capacity_rps`, `ack_bare_capacity_rps`, `ack_capacity_ratio`."""
    async with _warmed_up(service, shape) as (load, servers):
        return await _search(load, servers, seconds)


async def _cpu_costs(
    load: LoadGenerator, servers: _Servers, *, rate: int, seconds: float
) -> tuple[float, float]:
    """Each server's CPU per request at one rate both sustain, best of two alternating runs."""

    async def settle() -> None:
        await servers.runner.bot.settle(within=30)

    qabot, bare = math.inf, math.inf
    for _ in range(2):
        qabot = min(qabot, await cpu_per_request(
            load, servers.qabot_url, os.getpid(), rate=rate, seconds=seconds, settle=settle
        ))  # fmt: skip
        bare = min(bare, await cpu_per_request(
            load, servers.bare_url, servers.bare_pid, rate=rate, seconds=seconds
        ))  # fmt: skip
    return qabot, bare


async def _search(load: LoadGenerator, servers: _Servers, seconds: float) -> dict[str, float]:
    qabot_url, bare_url = servers.qabot_url, servers.bare_url

    async def settle() -> None:
        await servers.runner.bot.settle(within=30)

    qabot = bare = 0
    for round_ in range(1, _ROUNDS + 1):
        _say(f"qabot's Slack endpoint, round {round_}:")
        qabot = max(qabot, await find_capacity(searcher(load, qabot_url, seconds, settle)))
        _say(f"the bare signed endpoint, round {round_}:")
        bare = max(bare, await find_capacity(searcher(load, bare_url, seconds)))
    half = await load.step(qabot_url, max(1, qabot // 2), seconds)
    await settle()
    if half.p99 > _LIMIT_MS:  # as in the search: one stray stall elsewhere is not the bot's
        again = await load.step(qabot_url, half.rate, seconds)
        await settle()
        half = min(half, again, key=lambda step: step.p99)
    costs = await _cpu_costs(load, servers, rate=max(1, min(qabot, bare) // 2), seconds=seconds)
    _say(
        f"Slack ack capacity {qabot:,}/s, bare {bare:,}/s; at {half.rate:,}/s p99 {half.p99:.2f}"
        f" ms (the load generator used {half.cpu_share:.0%} of a core); CPU a request:"
        f" qabot {costs[0]:.0f} µs, bare {costs[1]:.0f} µs"
    )
    return {
        "ack_p99_ms": round(half.p99, 2),
        "ack_capacity_rps": qabot,
        "ack_bare_capacity_rps": bare,
        "ack_capacity_ratio": round(qabot / bare, 3) if bare else 0.0,
    }


async def at_rate(service: QAService, shape: Shape, *, rate: int, seconds: float) -> Step:
    """qabot's endpoint alone at one rate (to profile it): one step after the warm-up."""
    async with _warmed_up(service, shape) as (load, servers):
        return await load.step(servers.qabot_url, rate, seconds)


async def cpu_costs(
    service: QAService, shape: Shape, *, rate: int, seconds: float
) -> dict[str, float]:
    """Only each server's CPU per request at `rate` (to compare versions of the adapter)."""
    async with _warmed_up(service, shape) as (load, servers):
        qabot, bare = await _cpu_costs(load, servers, rate=rate, seconds=seconds)
    return {
        "qabot_cpu_us": round(qabot),
        "bare_cpu_us": round(bare),
        "ratio": round(bare / qabot, 3),
    }


async def bolt_floor(*, seconds: float) -> dict[str, float]:
    """bolt's own capacity (bench.bolt_ack: listeners that only acknowledge) and the bare
    endpoint's, searched alternately as `measure` searches qabot's, and each one's CPU per
    request: the most any bolt app can keep of the bare endpoint's capacity."""
    from bench.slack_wire import TEAM_ID

    api = await Helper.start("bench.slack_api")
    servers = [await Helper.start("bench.bolt_ack", api.url), await Helper.start("bench.bare_ack")]
    load = await LoadGenerator.start(TEAM_ID, "C_FLOOR", f"{api.url}/respond")
    try:
        await load.step(servers[0].url, 200, 1)  # auth.test, connections
        bolt = bare = 0
        for round_ in range(1, _ROUNDS + 1):
            _say(f"bolt with listeners that only acknowledge, round {round_}:")
            bolt = max(bolt, await find_capacity(searcher(load, servers[0].url, seconds)))
            _say(f"the bare signed endpoint, round {round_}:")
            bare = max(bare, await find_capacity(searcher(load, servers[1].url, seconds)))
        rate = max(1, min(bolt, bare) // 2)
        cpu = [
            min([await cpu_per_request(load, s.url, s.pid, rate=rate, seconds=seconds)
                 for _ in range(2)])
            for s in servers
        ]  # fmt: skip
    finally:
        await load.close()
        for helper in (*servers, api):
            await helper.close()
    return {
        "bolt_capacity_rps": bolt,
        "bare_capacity_rps": bare,
        "bolt_capacity_ratio": round(bolt / bare, 3) if bare else 0.0,
        "bolt_cpu_us": round(cpu[0]),
        "bare_cpu_us": round(cpu[1]),
    }


async def _alone(url: str, scale: float, seconds: float, rate: int, cpu: int) -> dict[str, float]:
    from storage import open_store

    store = await open_store(url)
    service, shape = QAService(store=store, settings=Settings()), Shape.scaled(scale)
    try:
        if cpu:
            return await cpu_costs(service, shape, rate=cpu, seconds=seconds)
        if not rate:
            return await measure(service, shape, seconds=seconds)
        step = await at_rate(service, shape, rate=rate, seconds=seconds)
        return {"rate": rate, "p99_ms": round(step.p99, 2), "load_cpu_share": step.cpu_share}
    finally:
        await store.close()


def main() -> None:
    """`python -m bench.ack_capacity [--scale S] [--seconds N] [--rate R | --cpu R]`: only the
    four ack keys, on a SQLite copy of the data set (built under $QABOT_BENCH_DIR as
    `python -m bench` builds it); with --rate, one step of qabot's endpoint at R requests/s (to
    profile it); with --cpu, both servers' CPU per request at R requests/s; with --floor, bolt's
    own capacity (listeners that only acknowledge) against the bare endpoint's, no store, over
    HTTP and in Socket Mode."""
    import argparse
    import os
    from pathlib import Path

    from bench.__main__ import sqlite_copy

    parser = argparse.ArgumentParser(prog="python -m bench.ack_capacity", description=main.__doc__)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rate", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=0, metavar="RATE")
    parser.add_argument("--floor", action="store_true")
    args = parser.parse_args()
    if args.floor:
        from bench import socket_ack

        floors = asyncio.run(bolt_floor(seconds=args.seconds))
        print(json.dumps({**floors, **asyncio.run(socket_ack.bolt_floor())}), flush=True)
        return
    folder = Path(os.environ.get("QABOT_BENCH_DIR", "/tmp/qabot-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    url = sqlite_copy(folder, Shape.scaled(args.scale), args.scale)
    print(
        json.dumps(asyncio.run(_alone(url, args.scale, args.seconds, args.rate, args.cpu))),
        flush=True,
    )


if __name__ == "__main__":
    main()
