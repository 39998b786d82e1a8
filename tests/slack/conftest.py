"""Fixtures for the Slack adapter tests: the fake Web API, a signed HTTP client and an app server.

Everything binds 127.0.0.1:0; nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.signed_client import SignedClient

Serve = Callable[[AsyncApp], Awaitable[SignedClient]]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
def web_client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(
        token=BOT_TOKEN,
        base_url=fake_slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Serve a bolt app over HTTP on 127.0.0.1:0 at /slack/events; return a signed client for it."""
    runners: list[web.AppRunner] = []
    clients: list[SignedClient] = []

    async def start(app: AsyncApp) -> SignedClient:
        runner = web.AppRunner(app.web_app(path="/slack/events"), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        client = SignedClient(f"http://127.0.0.1:{port}/slack/events")
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()
    for runner in runners:
        await runner.cleanup()
