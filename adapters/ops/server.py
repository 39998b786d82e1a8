"""The ops endpoints on aiohttp: liveness, readiness and metrics.

- `GET /healthz`: 200 while the event loop answers.
- `GET /readyz`: 200 when the store answers and every enabled platform is connected, else 503;
  the body is a JSON object, one key per part, "ok" or the reason.
- `GET /metrics`: the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.ops.parts import OpsParts, OpsServer
from bot.errors import SettingsError
from bot.readiness import READY
from bot.settings import OpsSettings

__all__ = ["add_ops_routes", "start_ops"]

log = logging.getLogger("qabot.ops")

STORE_WITHIN = 2.0
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def add_ops_routes(app: web.Application, parts: OpsParts) -> None:
    """Serve the ops paths from `app` too (one server for `[web]` and `[ops]`)."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": READY})

    async def readyz(_request: web.Request) -> web.Response:
        states = {"store": await _store_state(parts.store_check), **parts.readiness.parts()}
        ready = all(state == READY for state in states.values())
        return web.json_response(states, status=200 if ready else 503)

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=parts.exposition(), headers={"Content-Type": METRICS_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


async def _store_state(check: Callable[[], Awaitable[object]]) -> str:
    try:
        await asyncio.wait_for(check(), STORE_WITHIN)
    except TimeoutError:
        return f"no answer within {STORE_WITHIN:.0f} s"
    except Exception as error:  # any failure is a reason to show, never a 500
        return f"unreachable ({type(error).__name__})"
    return READY


async def start_ops(settings: OpsSettings, parts: OpsParts) -> OpsServer:
    """Listen on `[ops]` host and port; a port in use stops start-up with one line."""
    app = web.Application()
    add_ops_routes(app, parts)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
    except OSError as error:
        await runner.cleanup()
        raise SettingsError(
            f"[ops] cannot listen on {settings.host}:{settings.port}: {error.strerror}"
        ) from None
    port = int(runner.addresses[0][1]) if runner.addresses else settings.port
    log.info("ops endpoints at http://%s:%d/healthz, /readyz, /metrics", settings.host, port)
    return OpsServer(port, runner.cleanup)
