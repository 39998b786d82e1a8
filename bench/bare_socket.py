"""`python -m bench.bare_socket API_URL`: slack_sdk's own Socket Mode client, acknowledging only.

The ceiling of the Socket Mode acknowledgement benchmark: slack_sdk's aiohttp `SocketModeClient`
with one listener that sends the empty ack for each envelope and does nothing else, in a process
of its own (nothing else on its event loop). It asks `apps.connections.open` at API_URL where to
connect, as any Socket Mode app does, prints `connected`, and stays until its stdin is closed.
"""

from __future__ import annotations

import asyncio
import sys

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bench.slack_wire import APP_TOKEN


async def _ack(client: SocketModeClient, request: SocketModeRequest) -> None:
    await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))


async def stay_connected(client: SocketModeClient) -> None:
    """Connect, print `connected`, and stay until stdin is closed."""
    await client.connect()  # type: ignore[no-untyped-call]
    print("connected", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await client.close()  # type: ignore[no-untyped-call]


async def main(api_url: str) -> None:
    client = SocketModeClient(app_token=APP_TOKEN, web_client=AsyncWebClient(base_url=api_url))
    client.socket_mode_request_listeners.append(_ack)  # type: ignore[arg-type]
    await stay_connected(client)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
