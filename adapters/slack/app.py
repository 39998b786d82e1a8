"""The Slack adapter's bolt app: an `AsyncApp` whose listeners turn Slack into `QAService` calls.

Every listener acknowledges first and works after (Slack redelivers anything not acknowledged
within 3 seconds), and nothing after `ack()` raises (see `SlackContext.run`). Payload dicts stop
at `translate`.

`build_slack_bot` builds the app for tests and for `runtime.start_slack`, which adds the start-up
token check and the transport (Socket Mode or HTTP).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.translate as edge
from adapters.slack.commands import SlackCommands
from adapters.slack.compat import SharedClientApp, drop_token_skipped_warning
from adapters.slack.context import SlackContext
from adapters.slack.events import SlackEvents
from adapters.slack.observe import ObserveEvents
from adapters.slack.surfacing import SlackPoster
from bot.service import QAService
from bot.settings import Settings

__all__ = ["SlackBot", "build_slack_bot", "make_web_client"]


def make_web_client(settings: Settings) -> AsyncWebClient:
    """The one Web API client: `api_base_url` (GovSlack, the tests' fake) and 429 retries."""
    return AsyncWebClient(
        token=settings.secrets.slack_bot_token,
        base_url=settings.slack.api_base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            # Slack's 429s carry Retry-After; the handler sleeps that long, then retries.
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            # 500 and 503: retried with exponential backoff (0.5 s, 1 s), then given up; the
            # listener then logs it and tells whoever is waiting.
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class AckAtOnce(AsyncMiddleware):
    """Listener middleware: acknowledge before the listener starts, as bolt does for events.

    For commands, buttons and forms bolt starts the listener as a task and then polls every
    10 ms until it has called `ack()`, which delays each HTTP response by at least one poll.
    Every listener of qabot acknowledges with an empty body first thing anyway (its own `ack()`
    call afterwards changes nothing).
    """

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt's name for it
    ) -> BoltResponse:
        ack = req.context.ack
        if ack is not None:
            await ack()
        await next()
        return resp


def _bolt_app(settings: Settings, client: AsyncWebClient) -> AsyncApp:
    secret = settings.secrets.slack_signing_secret
    bolt_log = logging.getLogger("qabot.slack.bolt")
    drop_token_skipped_warning(bolt_log)
    return SharedClientApp(
        client=client,
        signing_secret=secret or None,
        # Socket Mode has no HTTP endpoint to verify; HTTP mode always has a secret (settings).
        request_verification_enabled=bool(secret) or settings.slack.mode == "http",
        # Only for Slack workflow functions (qabot defines none); it would also change the
        # shared client's token (see SharedClientApp).
        attaching_function_token_enabled=False,
        logger=bolt_log,
    )


class SlackBot:
    """The bolt app with qabot's listeners, and the context they share."""

    def __init__(self, *, settings: Settings, service: QAService, client: AsyncWebClient) -> None:
        self.settings = settings
        self.service = service
        self.client = client
        self.context = SlackContext(settings=settings, service=service, client=client)
        self.app = _bolt_app(settings, client)
        self.commands = SlackCommands(self.context)
        self.events = SlackEvents(self.context)
        # Digests and thread notices (similar questions, hot answers) the core posts on its own.
        context = self.context
        service.posters.register(
            "slack", SlackPoster(client, lambda: context.team_url, context.question_message)
        )
        self._register()

    async def settle(self, *, within: float = 5.0) -> None:
        """Wait until no listener is still working (tests; a graceful stop)."""
        await self.context.settle(within=within)

    def _register(self) -> None:
        # bolt tries listeners in registration order, building each matcher's arguments on
        # every try: the most frequent requests come first, reactions and then messages, which
        # every conversation in the bot's channels sends.
        app, events, commands = self.app, self.events, self.commands
        app.use(ObserveEvents(self.service.metrics))
        app.event("reaction_added")(events.on_reaction)
        app.event("reaction_removed")(events.on_reaction)
        app.event("message")(events.on_message)
        names, first = self.settings.slack, [AckAtOnce()]
        app.command(names.ask_command, middleware=first)(commands.on_ask)
        app.command(names.top_command, middleware=first)(commands.on_top)
        app.command(names.qa_command, middleware=first)(commands.on_qa)
        app.view(edge.ASK_FORM, middleware=first)(commands.on_ask_form)
        app.view(edge.ANSWER_FORM, middleware=first)(commands.on_answer_form)
        app.action(edge.ANSWER_ACTION, middleware=first)(commands.on_answer_button)
        app.action(edge.SHARE_TOP_ACTION, middleware=first)(commands.on_share_top)


def build_slack_bot(
    *, settings: Settings, service: QAService, client: AsyncWebClient | None = None
) -> SlackBot:
    """The bot with every listener; `client` defaults to one built from settings."""
    return SlackBot(settings=settings, service=service, client=client or make_web_client(settings))
