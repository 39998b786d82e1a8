"""`python -m bench.bare_ack`: the acknowledgement capacity's yardstick, in a process of its own.

A bare aiohttp app that does only what any Slack HTTP endpoint must: read the request, check its
Slack signature and timestamp with slack_sdk's `SignatureVerifier` (as bolt does), and answer
200 with an empty body. Prints its events URL on the first line, then serves until its stdin is
closed. qabot's capacity over this app's, measured with the same load generator in the same run,
says how much of an HTTP endpoint's own cost qabot adds.
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.slack_wire import SIGNING_SECRET

PATH = "/slack/events"


def make_app(secret: str = SIGNING_SECRET) -> web.Application:
    verifier = SignatureVerifier(secret)

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        valid = verifier.is_valid(
            body=body,
            timestamp=request.headers.get("X-Slack-Request-Timestamp", ""),
            signature=request.headers.get("X-Slack-Signature", ""),
        )
        return web.Response(status=200 if valid else 401)

    app = web.Application()
    app.router.add_post(PATH, events)
    return app


async def serve(app: web.Application) -> None:
    """Serve `app` on a free port of 127.0.0.1, print its events URL, stop when stdin closes."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    print(f"http://{host}:{port}{PATH}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(make_app()))
