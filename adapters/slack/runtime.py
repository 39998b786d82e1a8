"""Running the Slack adapter: check the tokens, then serve Socket Mode or HTTP until cancelled.

`run_slack(settings, service)` is what `qabot run` awaits. A wrong token stops start-up with one
`SettingsError` line: without the check bolt would answer every request and lose them silently.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackBot, build_slack_bot, make_web_client
from adapters.slack.catchup import start_catch_up
from adapters.slack.compat import use_socket_url
from bot.domain import WorkspaceRef
from bot.errors import SettingsError
from bot.readiness import READY
from bot.service import QAService
from bot.settings import Settings

__all__ = ["EVENTS_PATH", "SlackRunner", "check_bot_token", "run_slack", "start_slack"]

log = logging.getLogger("qabot.slack")

EVENTS_PATH = "/slack/events"


@dataclass
class SlackRunner:
    """A started adapter: the bot, the bound HTTP port (0 in Socket Mode) and how to stop it."""

    bot: SlackBot
    port: int
    _socket: AsyncSocketModeHandler | None = None
    _http: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    async def close(self, *, within: float = 2.0) -> None:
        """Stop taking events, let acknowledged ones finish (for `within` seconds at most),
        then close the connections."""
        catch_up = self.bot.context.catch_up_task
        if catch_up is not None:
            catch_up.cancel()
        self.bot.service.readiness.set("slack", "stopping")
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._http is not None:
            await self._http.cleanup()
        await self.bot.settle(within=within)
        if self._session is not None:
            await self._session.close()


def _rejected(secret: str, error: SlackApiError) -> SettingsError:
    reason = error.response.get("error", "error")
    return SettingsError(
        f"Slack rejected {secret} ({reason}): check the token in the Slack app settings"
    )


async def check_bot_token(client: AsyncWebClient) -> dict[str, Any]:
    """`auth.test`: who the bot is (its workspace URL for permalinks), or one clear line."""
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        raise _rejected("SLACK_BOT_TOKEN", error) from None
    except (aiohttp.ClientError, OSError) as error:
        raise SettingsError(
            f"cannot reach Slack at {client.base_url} ({type(error).__name__}): "
            "check [slack] api_base_url and the network"
        ) from None
    return dict(response.data) if isinstance(response.data, dict) else {}


async def _open_socket(
    bot: SlackBot, app_token: str, workspace: WorkspaceRef
) -> AsyncSocketModeHandler:
    try:
        opened = await bot.client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        raise _rejected("SLACK_APP_TOKEN", error) from None
    handler = AsyncSocketModeHandler(bot.app, app_token=app_token, web_client=bot.client)

    async def on_hello(_client: Any, message: dict[Any, Any], _raw: str | None) -> None:
        # Slack says hello on every (re)connection: catch up on what happened while away.
        if message.get("type") == "hello":
            bot.service.readiness.set("slack", READY)
            start_catch_up(bot.context, workspace)
        elif message.get("type") == "disconnect":  # Slack is about to close this connection
            bot.service.readiness.set("slack", "reconnecting")

    handler.client.message_listeners.append(on_hello)
    use_socket_url(handler, str(opened["url"]))
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


@web.middleware
async def _refuse_malformed(request: web.Request, handler: Any) -> web.StreamResponse:
    """A signed payload bolt cannot read (a field of the wrong type) is a 400 and one log line,
    not a 500 with a traceback; Slack then does not retry it."""
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        log.warning("refused a malformed Slack request: %s: %s", type(error).__name__, error)
        return web.Response(status=400, text="malformed request")
    return response


async def _serve_http(
    bot: SlackBot, host: str, port: int, *, reuse_port: bool
) -> tuple[web.AppRunner, int]:
    app = bot.app.web_app(path=EVENTS_PATH, port=port)
    app.middlewares.append(_refuse_malformed)
    # No access log: it would format and write a line for every request Slack sends, on the
    # event loop that acknowledges them; the metrics count the requests instead.
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        # With reuse_port, every process bound to the port gets a share of the connections.
        await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
    except OSError as error:
        await runner.cleanup()
        raise SettingsError(f"[slack] cannot listen on {host}:{port}: {error.strerror}") from None
    bound = runner.addresses[0][1] if runner.addresses else port
    return runner, int(bound)


def _keep_alive(client: AsyncWebClient) -> aiohttp.ClientSession | None:
    """Give the client one session for all its calls, unless it has one: without it slack_sdk
    opens a session and a TCP (and TLS) connection per call."""
    if client.session is not None:
        return None
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    client.session = session
    return session


async def start_slack(
    *, settings: Settings, service: QAService, client: AsyncWebClient | None = None
) -> SlackRunner:
    client = client or make_web_client(settings)
    identity = await check_bot_token(client)
    session = _keep_alive(client)
    try:
        return await _start(settings, service, client, identity, session)
    except BaseException:
        if session is not None:
            await session.close()
        raise


async def _start(
    settings: Settings,
    service: QAService,
    client: AsyncWebClient,
    identity: dict[str, Any],
    session: aiohttp.ClientSession | None,
) -> SlackRunner:
    bot = build_slack_bot(settings=settings, service=service, client=client)
    bot.context.team_url = str(identity.get("url", ""))
    workspace = WorkspaceRef("slack", str(identity.get("team_id", "")))
    slack = settings.slack
    service.readiness.set("slack", "connecting")
    if slack.mode == "socket":
        handler = await _open_socket(bot, settings.secrets.slack_app_token, workspace)
        log.info("Slack connected in Socket Mode as %s", identity.get("user_id"))
        return SlackRunner(bot, 0, _socket=handler, _session=session)
    runner, port = await _serve_http(bot, slack.host, slack.port, reuse_port=slack.reuse_port)
    service.readiness.set("slack", READY)
    log.info("Slack events at http://%s:%d%s", slack.host, port, EVENTS_PATH)
    start_catch_up(bot.context, workspace)  # HTTP mode has no connection to re-open: once, at start
    return SlackRunner(bot, port, _http=runner, _session=session)


async def run_slack(
    settings: Settings, service: QAService, *, client: AsyncWebClient | None = None
) -> None:
    """Serve Slack until cancelled (`qabot run`); raises SettingsError if it cannot start."""
    runner = await start_slack(settings=settings, service=service, client=client)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.close(within=settings.ops.shutdown_seconds)
