"""`python -m bench.bolt_ack API_URL`: bolt's own floor, in a process of its own.

slack-bolt's `AsyncApp` served by its aiohttp adapter (as qabot's HTTP mode serves it), with
one listener for reactions and one for `/top` that only acknowledge: what any bolt app pays per
request before doing anything of its own (request verification, single-team authorization,
listener matching and arguments, the listener task, the response). Prints its events URL on the
first line, then serves until its stdin is closed. `python -m bench.ack_capacity --floor`
measures it against the bare endpoint (bench.bare_ack) with the same load generator.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_ack import PATH, serve
from bench.slack_wire import BOT_TOKEN, SIGNING_SECRET


def make_app(api_url: str) -> web.Application:
    # auth.test, once, goes to the Web API stand-in (bench.slack_api).
    client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{api_url}/api/")
    app = AsyncApp(signing_secret=SIGNING_SECRET, client=client)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    app.event("reaction_added")(only_ack)
    app.command("/top")(only_ack)
    return app.web_app(path=PATH)


if __name__ == "__main__":
    asyncio.run(serve(make_app(sys.argv[1])))
