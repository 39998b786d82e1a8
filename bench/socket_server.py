"""`python -m bench.socket_server TEAM CHANNEL LINKED`: Slack's Socket Mode endpoint, and the load.

A process of its own, as Slack's servers are, so that building envelopes and timing acks does not
share the measured app's event loop. It speaks the protocol Slack documents for Socket Mode: an
app connects to the URL `apps.connections.open` handed out (the first line printed here), is
greeted with `hello`, receives envelopes `{"envelope_id", "type", "payload",
"accepts_response_payload", ...}` and answers each with `{"envelope_id", "payload"?}`.

Each line `APP RATE SECONDS FIRST_VOTER RESPONSE_URL` on stdin sends the mix to the APP-th of
the apps connected (from 0), at RATE envelopes a second for SECONDS: `reaction_added` events on
the LINKED hot answers' messages in CHANNEL by 2,000 people numbered from FIRST_VOTER, and a
`/top` slash command every twentieth envelope. It prints one JSON object: the p50 and p99 in ms
(envelope sent to ack received; one never acknowledged within 3 s counts as infinite), how many
were never acknowledged, and the rate the envelopes really left at.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sys
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from bench.slack_wire import reaction_envelope, slash_fields

__all__ = ["VOTERS", "envelopes"]

VOTERS = 2000  # distinct people per load; the app looks each new one up with users.info
_GRACE_S = 3.0  # Slack redelivers an envelope not acknowledged within 3 s: it counts as lost


def _reaction(team: str, voter: str, ts: str, channel: str) -> dict[str, Any]:
    payload = reaction_envelope(user=voter, name="+1", ts=ts, channel=channel)
    payload["team_id"] = team
    payload["authorizations"][0]["team_id"] = team
    return payload


def envelopes(
    n: int, *, team: str, channel: str, linked: int, first_voter: int, response_url: str
) -> list[tuple[str, str]]:
    """`n` envelopes of the mix, as (envelope id, the text sent)."""
    built = []
    for i in range(n):
        voter = f"UACK{first_voter + i % VOTERS:07d}"
        if i % 20 == 0:
            kind = "slash_commands"
            payload = slash_fields(
                "/top", "", user=voter, channel=channel, response_url=f"{response_url}/s{i}"
            )
            payload["team_id"] = team
        else:
            ts = f"1600000000.{1 + i % linked:06d}"
            kind, payload = "events_api", _reaction(team, voter, ts, channel)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        built.append((envelope_id, json.dumps(envelope)))
    return built


class SocketEndpoint:
    """The websocket end: greets each app, matches acks to the envelopes waiting for them."""

    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self.waiting: dict[str, float] = {}  # envelope id -> when it was sent
        self.latencies: list[float] = []
        self.all_acked = asyncio.Event()
        self.all_sent = False

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": len(self.sockets),
            "debug_info": {"host": "bench"},
            "connection_info": {"app_id": "A0BENCH001"},
        }
        await ws.send_json(hello)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._acked(message.data, time.perf_counter())
        finally:
            # The apps are told apart by the order they connected in: one leaving (or
            # reconnecting) mid-run shifts that order, so say so where the progress lines go.
            print(f"socket server: app {self.sockets.index(ws)} disconnected", file=sys.stderr)
            self.sockets.remove(ws)
        return ws

    def _acked(self, text: str, now: float) -> None:
        envelope_id = json.loads(text).get("envelope_id")
        sent = self.waiting.pop(envelope_id, None)
        if sent is not None:
            self.latencies.append((now - sent) * 1000)
            if not self.waiting and self.all_sent:
                self.all_acked.set()

    async def load(self, texts: list[tuple[str, str]], rate: float, app: int) -> dict[str, Any]:
        ws = self.sockets[app]
        self.latencies, self.all_acked, self.all_sent = [], asyncio.Event(), False
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, (envelope_id, text) in enumerate(texts):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.waiting[envelope_id] = time.perf_counter()
            await ws.send_str(text)
        took = loop.time() - start
        self.all_sent = True
        if not self.waiting:
            self.all_acked.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_acked.wait(), _GRACE_S)
        lost = len(self.waiting)
        self.waiting.clear()
        ordered = sorted([*self.latencies, *[math.inf] * lost])
        return {
            "p50_ms": ordered[len(ordered) // 2],
            "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            "lost": lost,
            "sent_per_s": len(texts) / took,
        }


async def _serve(team: str, channel: str, linked: int) -> None:
    endpoint = SocketEndpoint()
    app = web.Application()
    app.router.add_get("/link", endpoint.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    print(f"ws://{host}:{port}/link", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        app, rate, seconds, first_voter, response_url = line.split()
        texts = envelopes(
            int(float(rate) * float(seconds)), team=team, channel=channel, linked=linked,
            first_voter=int(first_voter), response_url=response_url,
        )  # fmt: skip
        print(json.dumps(await endpoint.load(texts, float(rate), int(app))), flush=True)
    for ws in list(endpoint.sockets):
        await ws.close()
    await runner.cleanup()


if __name__ == "__main__":
    team, channel, linked = sys.argv[1:4]
    asyncio.run(_serve(team, channel, int(linked)))
