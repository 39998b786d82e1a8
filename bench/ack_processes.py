"""The processes of the Slack acknowledgement benchmarks: the load generator, kept running one
step at a time (bench.ack_load), the servers it measures that run apart from the benchmark
(bench.slack_api, bench.bare_ack), and the CPU time a process used.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
from dataclasses import dataclass

from bench.latency import percentile

__all__ = ["LINKED", "Helper", "LoadGenerator", "Step", "cpu_seconds"]

LINKED = 1000  # hot answers whose messages the load reacts to
_LINE_LIMIT = 1 << 26  # one step's latencies come back as one JSON line


@dataclass(frozen=True)
class Step:
    rate: int
    ms: list[float]
    failed: int
    cpu_s: float
    seconds: float

    @property
    def p99(self) -> float:
        """The step's p99 in ms; any failed request makes it unbounded."""
        return math.inf if self.failed or not self.ms else percentile(self.ms, 0.99)

    @property
    def cpu_share(self) -> float:
        """The generator's CPU seconds per second of the step (1.0 = one core)."""
        return self.cpu_s / self.seconds


class Helper:
    """A `python -m MODULE` child that prints one line (its URL) and serves until stdin closes."""

    @property
    def pid(self) -> int:
        return self.process.pid

    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process, self.url = process, url

    @classmethod
    async def start(cls, module: str, *args: str) -> Helper:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None
        url = (await process.stdout.readline()).decode().strip()
        if not url:
            raise RuntimeError(f"{module} exited ({await process.wait()})")
        return cls(process, url)

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        await self.process.wait()


class LoadGenerator:
    """bench.ack_load, kept running: one step per call, any server."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, team: str, channel: str, respond: str) -> LoadGenerator:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ack_load", team, channel, str(LINKED), respond,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_LINE_LIMIT,
        )  # fmt: skip
        return cls(process)

    async def step(self, url: str, rate: int, seconds: float) -> Step:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(f"{url} {rate} {seconds}\n".encode())
        await stdin.drain()
        line = await stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator exited ({await self.process.wait()})")
        said = json.loads(line)
        return Step(rate, said["ms"], int(said["failed"]), float(said["cpu_s"]), seconds)

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        await self.process.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid` so far, all its threads."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
