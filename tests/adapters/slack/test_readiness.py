"""What `/readyz` hears from the Slack adapter: connected in either mode, and stopping."""

from __future__ import annotations

import asyncio
import dataclasses

from adapters.slack.runtime import start_slack
from bot.ports import Store
from bot.service import QAService
from bot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack


async def eventually_ready(service: QAService, *, within: float = 5) -> dict[str, str]:
    for _ in range(int(within * 100)):
        if service.readiness.parts().get("slack") == "ok":
            break
        await asyncio.sleep(0.01)
    return service.readiness.parts()


async def test_socket_mode_is_ready_once_slack_says_hello(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(
        slack_settings, slack=dataclasses.replace(slack_settings.slack, mode="socket")
    )
    service = QAService(store=store, settings=settings)
    runner = await start_slack(settings=settings, service=service)
    try:
        assert await eventually_ready(service) == {"slack": "ok"}
    finally:
        await runner.close()


async def test_http_mode_is_ready_while_serving_and_not_once_stopping(
    slack_settings: Settings, store: Store
) -> None:
    service = QAService(store=store, settings=slack_settings)
    runner = await start_slack(settings=slack_settings, service=service)
    serving = service.readiness.parts()
    await runner.close()
    assert (serving, service.readiness.parts()) == ({"slack": "ok"}, {"slack": "stopping"})
