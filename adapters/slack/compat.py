"""Every use of slack_bolt's and slack_sdk's private or undocumented internals, in one place.

Each function or class here says which internal it relies on and why no public API does the job;
`tests/adapters/slack/test_compat.py` fails, naming the internal, when an installed release no
longer has it or changed its shape.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_app_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.respond import SessionRespond

__all__ = ["SharedClientApp", "drop_token_skipped_warning", "use_socket_url"]


class SharedClientApp(AsyncApp):
    """bolt's `AsyncApp`, with every request sharing the app's one Web API client.

    bolt builds a new `AsyncWebClient` for every request in `AsyncApp._init_context`, so that an
    app may change the token of `context.client`. qabot has one workspace and one bot token, its
    listeners never use `context.client`, and `attaching_function_token` (the one built-in
    middleware that changes that token) is off, so every request can share the one client, and
    `respond` can go through that client's session (`SessionRespond`).

    No public option turns the per-request client off, and no middleware can avoid it: bolt builds
    it before the first middleware runs. So this subclass replaces the private `_init_context`,
    setting the same context keys bolt's sets (the test checks that bolt's sets no others).
    `logger` is required: bolt derives each request's logger from the one the app was given.
    """

    def __init__(self, *, logger: logging.Logger, **options: Any) -> None:
        super().__init__(logger=logger, **options)

    def _init_context(self, req: AsyncBoltRequest) -> None:
        context = req.context
        context["logger"] = get_bolt_app_logger(app_name=self.name, base_logger=self.logger)
        context["token"] = self.client.token
        context["client"] = self.client
        context["listener_runner"] = self.listener_runner
        if context.response_url is not None:
            context["respond"] = SessionRespond(
                response_url=context.response_url, client=self.client
            )


def drop_token_skipped_warning(logger: logging.Logger) -> None:
    """Keep bolt's "`token` will be unused" warning out of `logger`.

    bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client's token wins;
    it is the same token (settings read it from there too), so the warning is noise. bolt has no
    option to skip it; its text comes from `slack_bolt.logger.messages` (an undocumented module),
    which is compared with rather than a copy of the sentence, so a reworded release still matches.
    """
    expected = warning_client_prioritized_and_token_skipped()
    logger.addFilter(lambda record: record.getMessage() != expected)


def use_socket_url(handler: AsyncSocketModeHandler, url: str) -> None:
    """Make the Socket Mode client connect to `url`, from the `apps.connections.open` call that
    checked the app token, instead of asking Slack for another one.

    The client has no parameter for a URL: `connect()` calls `apps.connections.open` only while its
    undocumented `wss_uri` attribute is None, and on a refused token it logs and retries forever,
    so the token is checked first and the URL that check returned is preset here.
    """
    handler.client.wss_uri = url
