"""Fixtures for the Slack adapter tests: the fake Web API, a signed HTTP client and an app server.

Everything binds 127.0.0.1:0; nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.runtime import EVENTS_PATH, start_slack
from bot.ports import Store
from bot.service import QAService
from bot.settings import ModeratorSettings, Secrets, Settings, SlackSettings, StorageSettings
from storage import open_store
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET, SignedClient
from tests.adapters.slack.world import ADMIN, MODERATOR, OTHER_BOT, PEOPLE, SlackWorld

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


# ---------------------------------------------------------------- the whole adapter on a real store


@pytest.fixture
def slack_settings(fake_slack: FakeSlack, tmp_path: Path) -> Settings:
    return Settings(
        storage=StorageSettings(url=f"sqlite:///{tmp_path}/qabot.db"),
        slack=SlackSettings(enabled=True, mode="http", port=0, api_base_url=fake_slack.api_url),
        moderators=ModeratorSettings(slack=(MODERATOR,)),
        secrets=Secrets(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token=APP_TOKEN,
        ),
    )


@pytest.fixture
async def store(slack_settings: Settings) -> AsyncIterator[Store]:
    opened = await open_store(slack_settings.storage.url)
    yield opened
    await opened.close()


@pytest.fixture
async def world(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> AsyncIterator[SlackWorld]:
    """The adapter started the way `qabot run` starts it (HTTP mode, port 0), with people in it."""
    for user_id, name in PEOPLE.items():
        fake_slack.add_user(user_id, name)
    fake_slack.add_user(OTHER_BOT, "Some Bot", is_bot=True)
    fake_slack.add_user(ADMIN, "Mo Derator", admin=True)
    service = QAService(store=store, settings=slack_settings)
    runner = await start_slack(settings=slack_settings, service=service)
    http = SignedClient(f"http://127.0.0.1:{runner.port}{EVENTS_PATH}")
    yield SlackWorld(fake_slack, runner.bot, http, service)
    await http.close()
    await runner.close()
