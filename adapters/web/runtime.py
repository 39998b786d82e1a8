"""Serving the web view from `qabot run`: its port is bound by the bot's process and served by the
page processes of `[web] workers` (adapters/web/page_processes.py), or by the bot's event loop
when there are none."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from adapters.web.page_processes import PageProcesses
from adapters.web.page_wire import Serve
from adapters.web.site import build_app
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import base_url

__all__ = ["ServedSite", "serve_web", "site_served"]

log = logging.getLogger("qabot.web")


@dataclass(frozen=True)
class ServedSite:
    port: int  # the one bound, when `[web] port` is 0
    processes: PageProcesses


async def serve_web(
    service: QAService,
    settings: Settings,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> None:
    """Serve until cancelled; a port that cannot be bound stops start-up with one line."""
    web_settings = settings.web
    async with site_served(service, settings, add_routes=add_routes):
        log.info(
            "web view on %s:%d, published at %s",
            web_settings.host, web_settings.port, base_url(web_settings),
        )  # fmt: skip
        await asyncio.Event().wait()


@contextlib.asynccontextmanager
async def site_served(
    service: QAService,
    settings: Settings,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[ServedSite]:
    """The site served on `[web]` host and port (0: a free one) while the context lasts."""
    workers = settings.web.workers
    app = build_app(service, settings.web)
    site_paths = _paths(app)
    if add_routes is not None:
        add_routes(app)
    bot_paths = tuple(path for path in _paths(app) if path not in site_paths)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        # Bound here, listened on and accepted by whoever serves it: the page processes, or
        # this loop once none is left.
        server = await _bound(runner, settings)
        with tempfile.TemporaryDirectory(prefix="qabot-web-") as folder:
            # The `[ops]` paths sharing the port are this process's to answer: a page process
            # passes them on over this socket.
            bot_socket = str(Path(folder) / "bot.sock") if bot_paths and workers else ""
            if bot_socket:
                await web.UnixSite(runner, bot_socket).start()
            listeners = tuple(s.fileno() for s in server.sockets)
            serve = Serve(settings, listeners, bot_socket, bot_paths)
            processes = await PageProcesses.start(
                serve, service.store, count=workers,
                on_none_left=server.start_serving,
            )  # fmt: skip
            try:
                yield ServedSite(server.sockets[0].getsockname()[1], processes)
            finally:
                # First: one ending meanwhile must not have this loop serve closed sockets.
                await processes.close()
                server.close()
    finally:
        await runner.cleanup()


def _paths(app: web.Application) -> set[str]:
    return {resource.canonical for resource in app.router.resources()}


async def _bound(runner: web.AppRunner, settings: Settings) -> asyncio.Server:
    host, port = settings.web.host, settings.web.port
    assert runner.server is not None  # set up
    try:
        return await asyncio.get_running_loop().create_server(
            runner.server, host, port, start_serving=False
        )
    except OSError as error:
        reason = "is in use" if error.errno == errno.EADDRINUSE else "cannot be used"
        raise SettingsError(
            f"web view: {host}:{port} {reason}; set [web] port (or QABOT_WEB_PORT) to a free port"
        ) from None
