"""Serving the web view in the process and event loop of `qabot run`."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable

from aiohttp import web

from adapters.web.site import build_app
from bot.errors import SettingsError
from bot.service import QAService
from bot.web_settings import WebSettings, base_url

__all__ = ["serve_web"]

log = logging.getLogger("qabot.web")


async def serve_web(
    service: QAService,
    settings: WebSettings,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> None:
    """Serve until cancelled; a port that cannot be bound stops start-up with one line."""
    app = build_app(service, settings)
    if add_routes is not None:
        add_routes(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as error:
            reason = "is in use" if error.errno == errno.EADDRINUSE else "cannot be used"
            raise SettingsError(
                f"web view: {settings.host}:{settings.port} {reason}; "
                "set [web] port (or QABOT_WEB_PORT) to a free port"
            ) from None
        log.info(
            "web view on %s:%d, published at %s", settings.host, settings.port, base_url(settings)
        )
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
