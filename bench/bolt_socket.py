"""`python -m bench.bolt_socket API_URL`: bolt's own Socket Mode floor, in a process of its own.

slack-bolt's `AsyncApp` behind its `AsyncSocketModeHandler` (as qabot's Socket Mode runs it),
with one listener for reactions and one for `/top` that only acknowledge: what any bolt app pays
per envelope before doing anything of its own. It asks `apps.connections.open` at API_URL where
to connect, prints `connected`, and stays until its stdin is closed.
"""

from __future__ import annotations

import asyncio
import sys

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_socket import stay_connected
from bench.slack_wire import APP_TOKEN, BOT_TOKEN


async def main(api_url: str) -> None:
    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url))

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    app.event("reaction_added")(only_ack)
    app.command("/top")(only_ack)
    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN, web_client=app.client)
    await stay_connected(handler.client)  # the handler's own slack_sdk client


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
