"""The operator's endpoints: `/healthz`, `/readyz` and `/metrics` (aiohttp, prometheus_client).

`serve_ops` serves them on `[ops]`'s host and port until cancelled (`start_ops` returns the
started server instead); `add_ops_routes` adds them to an
`aiohttp.web.Application` that serves other paths too (the `[web]` site on the same host and
port); `ops_for_a_run` serves them while a one-off command (`qabot import`) runs. Both
libraries are imported only when one of these runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from adapters.ops.parts import OpsParts, OpsServer
from bot.errors import SettingsError
from bot.readiness import Readiness

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.ops.prometheus import PrometheusMetrics
    from bot.settings import OpsSettings

__all__ = [
    "OpsParts",
    "OpsServer",
    "add_ops_routes",
    "ops_for_a_run",
    "prometheus_metrics",
    "serve_ops",
    "start_ops",
]


def prometheus_metrics() -> PrometheusMetrics:
    """A `bot.metrics.Metrics` that Prometheus reads at `/metrics`."""
    from adapters.ops.prometheus import PrometheusMetrics

    return PrometheusMetrics()


def add_ops_routes(app: web.Application, parts: OpsParts) -> None:
    from adapters.ops.server import add_ops_routes as add

    add(app, parts)


async def start_ops(settings: OpsSettings, parts: OpsParts) -> OpsServer:
    from adapters.ops.server import start_ops as start

    return await start(settings, parts)


async def serve_ops(settings: OpsSettings, parts: OpsParts) -> None:
    """Serve the ops endpoints until cancelled (`qabot run`); SettingsError if they cannot."""
    server = await start_ops(settings, parts)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()


@asynccontextmanager
async def ops_for_a_run(
    settings: OpsSettings, store_check: Callable[[], Awaitable[object]]
) -> AsyncIterator[PrometheusMetrics]:
    """Count into Prometheus and serve the ops endpoints for as long as the block runs;
    SettingsError, one line, if they cannot listen."""
    metrics = prometheus_metrics()
    parts = OpsParts(Readiness(), store_check, metrics.exposition)
    try:
        server = await start_ops(settings, parts)
    except SettingsError as error:
        raise SettingsError(
            f"{error} (when `qabot run` listens there, give this run another port, e.g. "
            f"QABOT_OPS_PORT={settings.port + 1})"
        ) from None
    try:
        yield metrics
    finally:
        await server.close()
