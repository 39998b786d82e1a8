"""`python -m bench.ack_load URL RATE SECONDS CHANNEL LINKED`: the Slack load generator.

Its own process, so that building, signing and timing requests does not share the bot's event
loop (or its GIL): sends signed requests at a steady RATE per second (reactions on the linked
hot answers' messages, a `/top` command every twentieth) and prints one JSON list of latencies
in milliseconds, request to HTTP response.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlencode

import aiohttp

from bench.slack_wire import reaction_envelope, signed_headers, slash_fields

VOTERS = 2000  # distinct Slack users: the bot looks each new one up with users.info


def _request(i: int, channel: str, linked: int, response_url: str) -> tuple[str, str]:
    voter = f"UACK{i % VOTERS:05d}"
    if i % 20 == 0:
        fields = slash_fields("/top", "", user=voter, channel=channel, response_url=response_url)
        return urlencode(fields), "application/x-www-form-urlencoded"
    ts = f"1600000000.{1 + i % linked:06d}"
    envelope = reaction_envelope(user=voter, name="+1", ts=ts, channel=channel)
    return json.dumps(envelope), "application/json"


async def main(
    url: str, rate: int, seconds: float, channel: str, linked: int, respond: str
) -> None:
    session = aiohttp.ClientSession()
    samples: list[float] = []

    async def one(i: int) -> None:
        body, kind = _request(i, channel, linked, f"{respond}/t{i}")
        headers = signed_headers(body, content_type=kind)
        started = time.perf_counter()
        async with session.post(url, data=body.encode(), headers=headers) as reply:
            await reply.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert reply.status == 200, reply

    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for i in range(int(rate * seconds)):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    await session.close()
    print(json.dumps(samples), flush=True)


if __name__ == "__main__":
    url, rate, seconds, channel, linked, respond = sys.argv[1:7]
    asyncio.run(main(url, int(rate), float(seconds), channel, int(linked), respond))
