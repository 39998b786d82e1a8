"""`python -m bench.scale_out [--processes 1 2] [--seconds S]`: the Slack acknowledgement capacity
of N `qabot run` processes sharing one HTTP port on one PostgreSQL database.

Needs `QABOT_BENCH_POSTGRES_DSN`. A schema of its own (`qabot_scale_<pid>`, dropped afterwards)
gets a small data set; each count of processes is started as an operator would start them:
`qabot run` with `[slack] reuse_port = true`, the kernel spreading connections over them
(SO_REUSEPORT). The same load generator and capacity search as `ack_capacity_rps` measure them;
between steps the processes finish their acknowledged work (their CPU falls quiet). The load
generator's own CPU at the last good step is reported too: on a machine with few cores it takes
one of the cores the bot processes would otherwise share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from bench.ack_capacity import link_answers
from bench.ack_processes import Helper, LoadGenerator, Step, cpu_seconds
from bench.capacity import find_capacity
from bench.dataset import WORKSPACE, Shape, build_postgres
from bench.slack_wire import BOT_TOKEN, SIGNING_SECRET
from bot.service import QAService
from bot.settings import Settings
from storage import open_store

__all__ = ["main"]

_SCALE = 0.01  # 10,000 answers: the load touches the first 1,000
_SCHEMA = f"qabot_scale_{os.getpid()}"
_QABOT_RUN = (
    "import sys; from bot.cli import main; sys.exit(main(['run', '--config', sys.argv[1]]))"
)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _in_database(dsn: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _prepared(dsn: str, shape: Shape) -> str:
    await _in_database(dsn, f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE; CREATE SCHEMA {_SCHEMA}")
    url = f"{dsn}{'&' if '?' in dsn else '?'}search_path={_SCHEMA}"
    store = await open_store(url)  # migrates
    await store.close()
    await asyncio.to_thread(build_postgres, url, shape)
    store = await open_store(url)
    try:
        await link_answers(QAService(store=store, settings=Settings()), shape.hottest_channel)
    finally:
        await store.close()
    return url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _spawn(config: Path, env: dict[str, str], log: IO[bytes]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", _QABOT_RUN, str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip


class Bots:
    """N `qabot run` processes on one port; their logs go to files in `folder`."""

    def __init__(self, processes: list[asyncio.subprocess.Process], logs: list[Path]) -> None:
        self.processes, self.logs = processes, logs

    @classmethod
    async def start(cls, n: int, *, url: str, api_url: str, port: int, folder: Path) -> Bots:
        config = folder / "qabot.toml"
        config.write_text(
            f'[storage]\nurl = "{url}"\n'
            f'[slack]\nenabled = true\nmode = "http"\nport = {port}\nreuse_port = true\n'
            "[reconcile]\ndays = 0\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_BASE_URL": f"{api_url}/api/",
        }
        processes, logs = [], []
        for i in range(n):
            log = folder / f"qabot-{n}-{i}.log"
            with log.open("wb") as out:
                processes.append(await _spawn(config, env, out))
            logs.append(log)
        bots = cls(processes, logs)
        await bots._listening()
        return bots

    async def _listening(self, *, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while not all("Slack events at" in log.read_text() for log in self.logs):
            if any(p.returncode is not None for p in self.processes) or time.monotonic() > deadline:
                said = "\n".join(log.read_text() for log in self.logs)
                raise SystemExit(f"qabot run did not start:\n{said}")
            await asyncio.sleep(0.1)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes)

    async def settle(self, *, within: float = 30) -> None:
        """Until the processes' CPU falls quiet: the work they acknowledged is done."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            before = self.cpu()
            await asyncio.sleep(0.25)
            if self.cpu() - before < 0.01 * len(self.processes):
                return

    async def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            await process.wait()


async def _capacity(
    n: int, *, url: str, api_url: str, load: LoadGenerator, seconds: float, folder: Path
) -> tuple[int, Step]:
    port = _free_port()
    bots = await Bots.start(n, url=url, api_url=api_url, port=port, folder=folder)
    events = f"http://127.0.0.1:{port}/slack/events"
    steps: dict[int, Step] = {}

    async def p99_at(rate: int) -> float:
        steps[rate] = await load.step(events, rate, seconds)
        await bots.settle()
        return steps[rate].p99

    try:
        await load.step(events, 200, 1)  # warm-up: connections, caches, users.info
        await bots.settle()
        _say(f"{n} process{'es' if n > 1 else ''}:")
        capacity = await find_capacity(p99_at)
    finally:
        await bots.stop()
    return capacity, steps.get(capacity, Step(capacity, [], 0, 0.0, seconds))


async def run(dsn: str, counts: list[int], seconds: float) -> dict[int, int]:
    shape = Shape.scaled(_SCALE)
    _say(f"building the PostgreSQL data set ({shape}) ...")
    url = await _prepared(dsn, shape)
    api = await Helper.start("bench.slack_api")
    load = await LoadGenerator.start(WORKSPACE[1], shape.hottest_channel, f"{api.url}/respond")
    results: dict[int, int] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="qabot-scale-") as folder:
            for n in counts:
                capacity, last = await _capacity(
                    n, url=url, api_url=api.url, load=load, seconds=seconds, folder=Path(folder)
                )
                results[n] = capacity
                _say(
                    f"{n} process{'es' if n > 1 else ''}: ack_capacity_rps {capacity:,}"
                    f" (the load generator used {last.cpu_share:.0%} of a core at that rate)"
                )
    finally:
        await load.close()
        await api.close()
        await _in_database(dsn, f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out", description=__doc__)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=2)
    args = parser.parse_args()
    dsn = os.environ.get("QABOT_BENCH_POSTGRES_DSN")
    if not dsn:
        raise SystemExit("set QABOT_BENCH_POSTGRES_DSN to a PostgreSQL database to measure on")
    results = asyncio.run(run(dsn, args.processes, args.seconds))
    first = results[args.processes[0]]
    for n, capacity in results.items():
        scaling = f"{capacity / first:.2f}x" if first else "-"
        print(f"{n} process{'es' if n > 1 else ''}: {capacity:>7,} requests/s  ({scaling})")


if __name__ == "__main__":
    main()
