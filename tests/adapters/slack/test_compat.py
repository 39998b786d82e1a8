"""The library internals `adapters/slack/compat.py` relies on are still there, in the same shape.

Each check names the internal in its failure message, so an upgrade of slack_bolt or slack_sdk
that breaks one says which, instead of a listener failing somewhere downstream.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import AsyncIterator

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import messages as bolt_messages
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.compat import SharedClientApp, drop_token_skipped_warning, use_socket_url
from adapters.slack.respond import SessionRespond, response_body
from adapters.slack.runtime import start_slack
from bot.ports import Store
from bot.service import QAService
from bot.settings import Settings
from tests.adapters.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET

COMMAND_BODY = (
    "token=x&team_id=T0TEAM0001&channel_id=C1&user_id=U1&command=%2Ftop&text="
    "&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fhook&trigger_id=t1"
)
FORM = {"content-type": ["application/x-www-form-urlencoded"]}


def _app(app_class: type[AsyncApp], logger: logging.Logger) -> AsyncApp:
    client = AsyncWebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/")
    return app_class(client=client, signing_secret=SIGNING_SECRET, logger=logger)


def _keys_set_by(app: AsyncApp, init_context: str) -> tuple[AsyncBoltRequest, set[str]]:
    request = AsyncBoltRequest(body=COMMAND_BODY, headers=FORM)
    before = set(request.context)
    getattr(app, init_context)(request)
    return request, set(request.context) - before


# ---------------------------------------------------------------- AsyncApp._init_context


def test_bolt_still_builds_each_request_context_in_init_context() -> None:
    init = getattr(AsyncApp, "_init_context", None)
    assert callable(init), "slack_bolt AsyncApp._init_context is gone"
    params = list(inspect.signature(init).parameters)
    assert params == ["self", "req"], f"slack_bolt AsyncApp._init_context takes {params} now"
    dispatch = inspect.getsource(AsyncApp.async_dispatch)
    assert "self._init_context(req)" in dispatch, (
        "slack_bolt AsyncApp.async_dispatch no longer calls AsyncApp._init_context(req)"
    )


def test_shared_client_app_sets_every_context_key_bolts_own_sets() -> None:
    logger = logging.getLogger("test.compat.bolt")
    _, bolts = _keys_set_by(_app(AsyncApp, logger), "_init_context")
    _, ours = _keys_set_by(_app(SharedClientApp, logger), "_init_context")
    missing = bolts - ours
    assert not missing, f"slack_bolt AsyncApp._init_context now also sets {sorted(missing)}"


def test_every_request_shares_the_apps_one_client_and_its_session() -> None:
    app = _app(SharedClientApp, logging.getLogger("test.compat.bolt"))
    first, _ = _keys_set_by(app, "_init_context")
    second, _ = _keys_set_by(app, "_init_context")
    assert first.context["client"] is app.client and second.context["client"] is app.client
    assert first.context["token"] == BOT_TOKEN
    assert isinstance(first.context.respond, SessionRespond)
    assert first.context.respond.response_url == "http://127.0.0.1:9/hook"


# ---------------------------------------------------------------- the token-skipped warning


def test_bolts_token_skipped_warning_is_kept_out_of_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    warning = getattr(bolt_messages, "warning_client_prioritized_and_token_skipped", None)
    assert callable(warning), (
        "slack_bolt.logger.messages.warning_client_prioritized_and_token_skipped is gone"
    )
    assert not inspect.signature(warning).parameters, (
        "slack_bolt.logger.messages.warning_client_prioritized_and_token_skipped takes arguments"
    )
    client = AsyncWebClient(token=BOT_TOKEN)
    noisy, quiet = logging.getLogger("test.compat.noisy"), logging.getLogger("test.compat.quiet")
    drop_token_skipped_warning(quiet)
    with caplog.at_level(logging.WARNING):
        AsyncApp(client=client, token="xoxb-env", signing_secret=SIGNING_SECRET, logger=noisy)
        AsyncApp(client=client, token="xoxb-env", signing_secret=SIGNING_SECRET, logger=quiet)
    said = {(record.name, record.getMessage()) for record in caplog.records}
    assert ("test.compat.noisy", warning()) in said, (
        "slack_bolt no longer logs warning_client_prioritized_and_token_skipped() as checked"
    )
    assert not any(name == "test.compat.quiet" for name, _ in said)


# ---------------------------------------------------------------- SocketModeClient.wss_uri


@pytest.fixture
async def socket_handler() -> AsyncIterator[AsyncSocketModeHandler]:
    app = _app(AsyncApp, logging.getLogger("test.compat.bolt"))
    handler = AsyncSocketModeHandler(app, app_token="xapp-1", web_client=app.client)
    yield handler
    await handler.close_async()  # type: ignore[no-untyped-call]


async def test_the_socket_mode_client_connects_to_a_preset_wss_uri(
    socket_handler: AsyncSocketModeHandler,
) -> None:
    client = socket_handler.client
    assert isinstance(client, SocketModeClient), (
        f"slack_bolt's AsyncSocketModeHandler.client is a {type(client).__name__} now"
    )
    assert hasattr(client, "wss_uri") and client.wss_uri is None, (
        "slack_sdk SocketModeClient.wss_uri is gone or no longer starts as None"
    )
    assert "if self.wss_uri is None:" in inspect.getsource(SocketModeClient.connect), (
        "slack_sdk SocketModeClient.connect no longer keeps a preset wss_uri"
    )
    use_socket_url(socket_handler, "ws://127.0.0.1:9/socket")
    assert client.wss_uri == "ws://127.0.0.1:9/socket"


async def test_socket_mode_start_asks_slack_for_one_connection_url(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(
        slack_settings,
        slack=dataclasses.replace(slack_settings.slack, mode="socket"),
        secrets=dataclasses.replace(slack_settings.secrets, slack_signing_secret=""),
    )
    runner = await start_slack(settings=settings, service=QAService(store=store, settings=settings))
    try:
        await fake_slack.wait_for_socket()
    finally:
        await runner.close()
    assert len(fake_slack.calls_to("apps.connections.open")) == 1


# ---------------------------------------------------------------- respond's body


def test_a_response_body_always_has_text_and_leaves_out_what_is_unset() -> None:
    assert response_body(delete_original=True) == {"text": "", "delete_original": True}
    assert response_body(text="Hi", blocks=[], response_type="ephemeral") == {
        "text": "Hi",
        "response_type": "ephemeral",
    }
    block = {"type": "divider"}
    assert response_body(text="Hi", blocks=(block,), replace_original=False) == {
        "text": "Hi",
        "blocks": [block],
        "replace_original": False,
    }


def test_a_response_body_refuses_a_field_respond_does_not_know() -> None:
    with pytest.raises(TypeError, match="colour"):
        response_body(text="Hi", colour="red")
