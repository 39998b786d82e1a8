"""Socket Mode acknowledgement capacity: qabot's against slack_sdk's bare client's, in one run.

Capacity is the highest rate (envelopes a second) at which the p99 of envelope-sent to
ack-received stays within 50 ms, found by stepping the rate up (50, 100, 200, 400 ...) and then
bisecting between the last good step and the first bad one. Each step sends the mix of the HTTP
measurement (bench.ack_load): reactions on linked hot answers by the same 2,000 people, whom an
untimed warm-up has had the app look up once each (users.info), and a `/top` every twentieth
envelope.

Three processes besides the measured app, so their work is not charged to its event loop: the
Socket Mode endpoint and load (bench.socket_server), the Web API with `apps.connections.open`,
`users.info` and the `response_url` posts (bench.slack_api), and, for the ceiling, slack_sdk's
own `SocketModeClient` acknowledging and doing nothing else (bench.bare_socket). qabot runs in
this process, as `qabot run` does in Socket Mode (adapters.slack.runtime.start_slack). Both apps
stay connected and the two searches take turns step by step, so the machine's busy spells fall
on both alike; the idle one waits, and qabot finishes each step's work before the next.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bench.capacity import find_capacity
from bench.dataset import WORKSPACE, Shape
from bench.slack_wire import APP_TOKEN, BOT_TOKEN
from bench.socket_server import VOTERS
from bot.domain import MessageRef, WorkspaceRef
from bot.service import QAService
from bot.settings import Secrets, Settings, SlackSettings, StorageSettings

__all__ = ["measure"]

_LINKED = 1000  # answers with a Slack message the reactions land on
_SAMPLES = 400  # at least this many envelopes a step: a p99 of fewer is one or two samples
_MIN_STEP_S = 2.0
_WARM_UP_RATE = 200  # envelopes a second while every voter is seen once, before the search


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _Processes:
    """The Socket Mode endpoint with its load, and the Web API, each in a process of its own."""

    def __init__(self) -> None:
        self.children: list[asyncio.subprocess.Process] = []
        self.api = ""
        self._load: asyncio.subprocess.Process | None = None

    async def start_process(self, *args: str) -> tuple[asyncio.subprocess.Process, str]:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self.children.append(child)
        return child, await self.line(child)

    @staticmethod
    async def line(child: asyncio.subprocess.Process) -> str:
        assert child.stdout is not None
        said = (await child.stdout.readline()).decode().strip()
        if not said:
            raise RuntimeError(f"a benchmark process exited ({await child.wait()})")
        return said

    async def start(self, team: str, channel: str) -> None:
        self._load, socket_url = await self.start_process(
            "bench.socket_server", team, channel, str(_LINKED)
        )
        _, self.api = await self.start_process("bench.slack_api", socket_url)

    async def step(self, app: int, rate: int, seconds: float = 0) -> dict[str, Any]:
        """One step of the load on the `app`-th app connected, by the same 2,000 people each
        time, as the HTTP measurement's: a community's members, each looked up once."""
        seconds = seconds or max(_MIN_STEP_S, _SAMPLES / rate)
        assert self._load is not None and self._load.stdin is not None
        order = f"{app} {rate} {seconds} 0 {self.api}/respond\n"
        self._load.stdin.write(order.encode())
        await self._load.stdin.drain()
        result: dict[str, Any] = json.loads(await self.line(self._load))
        return result

    async def close(self) -> None:
        for child in reversed(self.children):
            if child.stdin is not None:
                child.stdin.close()
            await child.wait()


def _stepper(
    name: str, app: int, processes: _Processes, turns: asyncio.Lock,
    settle: Callable[[], Awaitable[None]],
) -> Callable[[int], Awaitable[float]]:  # fmt: skip
    async def p99_at(rate: int) -> float:
        async with turns:  # one step at a time; the other app waits idle, then has its turn
            result = await processes.step(app, rate)
            await settle()
        p99 = float(result["p99_ms"])
        _say(f"socket ack {name:>5} {rate:>6}/s: p50 {result['p50_ms']:6.2f} ms, p99 {p99:8.2f} ms "
             f"(sent {result['sent_per_s']:,.0f}/s, {result['lost']} unacknowledged)")  # fmt: skip
        return p99

    return p99_at


def _settings(api: str) -> Settings:
    return Settings(
        storage=StorageSettings(url="sqlite:////unused.db"),
        slack=SlackSettings(enabled=True, mode="socket", api_base_url=f"{api}/api/"),
        secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN),
    )


async def _pause() -> None:
    await asyncio.sleep(0.2)


async def _capacities(service: QAService, processes: _Processes) -> tuple[int, int]:
    """Both searches at once, their steps taking turns: a busy spell of the machine falls on
    both alike instead of on whichever was measured then."""
    from adapters.slack.runtime import start_slack

    runner = await start_slack(settings=_settings(processes.api), service=service)  # app 0
    try:
        await processes.start_process("bench.bare_socket", f"{processes.api}/api/")  # app 1
        turns = asyncio.Lock()
        settle = lambda: runner.bot.settle(within=30)  # noqa: E731
        # Warm-up, untimed: every voter reacts once, so qabot has looked each of them up.
        await processes.step(0, _WARM_UP_RATE, VOTERS / _WARM_UP_RATE)
        await settle()
        qabot, bare = await asyncio.gather(
            find_capacity(_stepper("qabot", 0, processes, turns, settle)),
            find_capacity(_stepper("bare", 1, processes, turns, _pause)),
        )
    finally:
        await runner.close(within=30)
    return qabot, bare


async def bolt_floor() -> dict[str, float]:
    """bolt's own Socket Mode capacity (bench.bolt_socket: listeners that only acknowledge)
    against the bare client's, on one stand-in server, their steps taking turns: the most any
    bolt app can keep of the bare client's capacity."""
    processes = _Processes()
    try:
        await processes.start(WORKSPACE[1], "C_FLOOR")
        await processes.start_process("bench.bolt_socket", f"{processes.api}/api/")  # app 0
        await processes.start_process("bench.bare_socket", f"{processes.api}/api/")  # app 1
        turns = asyncio.Lock()
        bolt, bare = await asyncio.gather(
            find_capacity(_stepper("bolt", 0, processes, turns, _pause)),
            find_capacity(_stepper("bare", 1, processes, turns, _pause)),
        )
    finally:
        await processes.close()
    return {
        "socket_bolt_capacity_rps": bolt,
        "socket_bare_capacity_rps": bare,
        "socket_bolt_capacity_ratio": round(bolt / bare, 3) if bare else 0.0,
    }


async def _link_answers(service: QAService, channel: str) -> None:
    workspace = WorkspaceRef(*WORKSPACE)
    for n in range(1, _LINKED + 1):
        await service.store.link_answer(workspace, n, MessageRef(channel, f"1600000000.{n:06d}"))


async def measure(service: QAService, shape: Shape) -> dict[str, float]:
    channel = shape.hottest_channel
    await _link_answers(service, channel)
    processes = _Processes()
    try:
        await processes.start(WORKSPACE[1], channel)
        qabot, bare = await _capacities(service, processes)
    finally:
        await processes.close()
    _say(f"Socket Mode ack capacity: qabot {qabot:,}/s, bare slack_sdk client {bare:,}/s")
    return {"socket_ack_capacity_ratio": round(qabot / bare, 3) if bare else 0.0}


async def _standalone(
    service: QAService, url: str, workspace: WorkspaceRef, shape: Shape
) -> dict[str, float]:
    return await measure(service, shape)


if __name__ == "__main__":
    from bench.standalone import run

    run(_standalone, sys.argv[1:])
