"""`python -m bench.ack_load TEAM CHANNEL LINKED RESPOND`: the Slack load generator.

Its own process, so that building, signing and timing requests does not share a server's event
loop (or its GIL). It reads one step per line on stdin, `URL RATE SECONDS`, sends signed requests
to URL at a steady RATE per second for SECONDS (reactions by 2,000 people on the messages of
workspace TEAM's first LINKED hot answers in CHANNEL, a `/top` command every twentieth), and
answers with one JSON object: the latencies in milliseconds, from the instant a request was due
to its whole HTTP response, how many requests failed, and the generator's own CPU seconds for
the step.

Every request of a step is built and signed before the step starts, and sent over plain HTTP/1.1
keep-alive connections (one request at a time on each, as Slack sends them) written and read with
asyncio's protocol API, so that the generator's own CPU (reported with every step) stays a small
share of a core and the search measures the servers, not the generator. Timing from the due
instant charges a late send to the server, so the generator never hides a server that falls
behind.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from bench.slack_wire import reaction_envelope, signed_headers, slash_fields

__all__ = ["VOTERS", "Mix"]

VOTERS = 2000  # distinct Slack users: the bot looks each new one up with users.info
_MAX_CONNECTIONS = 256  # beyond this many requests in flight, the next ones wait for a connection
_TIMEOUT_S = 30  # a request not answered by then failed (Slack gives up after 3 s)

_serial = itertools.count(1)  # event ids stay unique over every step of one run


@dataclass(frozen=True)
class Mix:
    """Where the requests go: a workspace's channel, its first `linked` hot answers' messages,
    and the `response_url` base for `/top`'s replies."""

    team: str
    channel: str
    linked: int
    respond: str


def _request(i: int, mix: Mix) -> tuple[str, str]:
    voter = f"UACK{i % VOTERS:05d}"
    if i % 20 == 0:
        fields = slash_fields(
            "/top", "", user=voter, channel=mix.channel, team=mix.team,
            response_url=f"{mix.respond}/t{next(_serial)}",
        )  # fmt: skip
        return urlencode(fields), "application/x-www-form-urlencoded"
    ts = f"1600000000.{1 + i % mix.linked:06d}"
    envelope = reaction_envelope(user=voter, name="+1", ts=ts, channel=mix.channel, team=mix.team)
    envelope["event_id"] = f"EvLOAD{next(_serial):010d}"
    return json.dumps(envelope), "application/json"


def _wire(host: str, path: str, i: int, mix: Mix) -> bytes:
    body, kind = _request(i, mix)
    raw = body.encode()
    headers = {"Host": host, **signed_headers(body, content_type=kind)}
    headers["Content-Length"] = str(len(raw))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + raw


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its response read by Content-Length."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._done: asyncio.Future[int] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self._done is not None and not self._done.done():
            self._done.set_result(0)

    def send(self, request: bytes) -> asyncio.Future[int]:
        assert self.transport is not None
        self._done = asyncio.get_running_loop().create_future()
        self._buffer.clear()
        self.transport.write(request)
        return self._done

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self._done is None:
            return
        head = bytes(self._buffer[:end]).lower()
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line.startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if len(self._buffer) >= end + 4 + length and not self._done.done():
            self._done.set_result(int(head[9:12]))


class _Pool:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(_MAX_CONNECTIONS)

    async def send(self, request: bytes) -> int:
        async with self._slots:
            connection = self._idle.pop() if self._idle else await self._open()
            status = await connection.send(request)
            if not connection.lost:
                self._idle.append(connection)
            return status

    async def _open(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, self.host, self.port)
        return connection

    def close(self) -> None:
        for connection in self._idle:
            if connection.transport is not None:
                connection.transport.close()
        self._idle.clear()


async def step(url: str, rate: int, seconds: float, mix: Mix) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    n = max(1, int(rate * seconds))
    requests = [_wire(parts.netloc, parts.path, i, mix) for i in range(n)]
    pool, samples, failed = _Pool(host, port), [], 0
    cpu = time.process_time()
    loop = asyncio.get_running_loop()

    async def one(request: bytes, due: float) -> None:
        nonlocal failed
        try:
            status = await asyncio.wait_for(pool.send(request), _TIMEOUT_S)
        except (OSError, TimeoutError):
            status = 0
        samples.append((loop.time() - due) * 1000)
        failed += status != 200

    start = loop.time() + 0.05
    tasks = []
    for i, request in enumerate(requests):
        due = start + i / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(request, due)))
    await asyncio.gather(*tasks)
    pool.close()
    return {"ms": samples, "failed": failed, "cpu_s": time.process_time() - cpu}


async def main(mix: Mix) -> None:
    loop = asyncio.get_running_loop()
    while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
        url, rate, seconds = line.split()
        result = await step(url, int(rate), float(seconds), mix)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    team, channel, linked, respond = sys.argv[1:5]
    asyncio.run(main(Mix(team, channel, int(linked), respond)))
