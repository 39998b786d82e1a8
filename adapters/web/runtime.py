"""Serving the web view in the process and event loop of `qabot run`."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from adapters.web.page_processes import PageProcesses
from adapters.web.site import build_app
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import WebSettings, base_url

__all__ = ["serve_web", "site_runner"]

log = logging.getLogger("qabot.web")


async def serve_web(
    service: QAService,
    settings: Settings,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> None:
    """Serve until cancelled; a port that cannot be bound stops start-up with one line."""
    async with site_runner(service, settings, add_routes=add_routes) as runner:
        await _listen(runner, settings.web)
        await asyncio.Event().wait()


@contextlib.asynccontextmanager
async def site_runner(
    service: QAService,
    settings: Settings,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[web.AppRunner]:
    """The site, set up with its page processes (`[web] workers`), not yet listening."""
    workers = settings.web.workers
    processes = await PageProcesses.start(settings, service.store, count=workers)
    app = build_app(service, settings.web, built_by=processes if workers else None)
    if add_routes is not None:
        add_routes(app)
    runner = web.AppRunner(app, access_log=None)
    try:
        await runner.setup()
        yield runner
    finally:
        await runner.cleanup()
        await processes.close()


async def _listen(runner: web.AppRunner, settings: WebSettings) -> None:
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
    except OSError as error:
        reason = "is in use" if error.errno == errno.EADDRINUSE else "cannot be used"
        raise SettingsError(
            f"web view: {settings.host}:{settings.port} {reason}; "
            "set [web] port (or QABOT_WEB_PORT) to a free port"
        ) from None
    log.info("web view on %s:%d, published at %s", settings.host, settings.port, base_url(settings))
