"""The ops endpoints as a supervisor and a monitoring system see them, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.ops import OpsParts, OpsServer, add_ops_routes, start_ops
from adapters.ops.prometheus import PrometheusMetrics
from bot.errors import SettingsError
from bot.readiness import READY, Readiness
from bot.settings import OpsSettings

Get = Callable[[str], Awaitable[tuple[int, str]]]


async def answers() -> int:
    return 0


async def fails() -> int:
    raise OSError("connection refused")


@pytest.fixture
def readiness() -> Readiness:
    return Readiness()


@pytest.fixture
def metrics() -> PrometheusMetrics:
    return PrometheusMetrics()


@pytest.fixture
async def serve(
    readiness: Readiness, metrics: PrometheusMetrics
) -> AsyncIterator[Callable[..., Awaitable[Get]]]:
    servers: list[OpsServer] = []
    session = aiohttp.ClientSession()

    async def start(store_check: Callable[[], Awaitable[object]] = answers) -> Get:
        parts = OpsParts(readiness, store_check, metrics.exposition)
        server = await start_ops(OpsSettings(enabled=True, port=0), parts)
        servers.append(server)

        async def get(path: str) -> tuple[int, str]:
            async with session.get(f"http://127.0.0.1:{server.port}{path}") as response:
                return response.status, await response.text()

        return get

    yield start
    await session.close()
    for server in servers:
        await server.close()


async def test_healthz_answers_200_while_the_loop_runs(
    serve: Callable[..., Awaitable[Get]],
) -> None:
    get = await serve()
    assert (await get("/healthz"))[0] == 200


async def test_readyz_is_503_naming_a_platform_still_connecting(
    serve: Callable[..., Awaitable[Get]], readiness: Readiness
) -> None:
    readiness.set("slack", "connecting")
    get = await serve()
    status, body = await get("/readyz")
    assert (status, body) == (503, '{"store": "ok", "slack": "connecting"}')


async def test_readyz_is_200_once_store_and_every_platform_are_ok(
    serve: Callable[..., Awaitable[Get]], readiness: Readiness
) -> None:
    readiness.set("slack", READY)
    readiness.set("discord", READY)
    get = await serve()
    status, body = await get("/readyz")
    assert (status, body) == (200, '{"store": "ok", "slack": "ok", "discord": "ok"}')


async def test_readyz_is_503_naming_a_store_that_does_not_answer(
    serve: Callable[..., Awaitable[Get]], readiness: Readiness
) -> None:
    readiness.set("slack", READY)
    get = await serve(fails)
    status, body = await get("/readyz")
    assert (status, body) == (503, '{"store": "unreachable (OSError)", "slack": "ok"}')


async def test_metrics_shows_every_qabot_series_and_the_process_ones(
    serve: Callable[..., Awaitable[Get]], metrics: PrometheusMetrics
) -> None:
    metrics.vote("slack", "counted")
    get = await serve()
    status, text = await get("/metrics")
    assert status == 200
    assert 'qabot_votes_total{outcome="counted",platform="slack",reason=""} 1.0' in text
    for name in (
        "qabot_events_total", "qabot_command_seconds", "qabot_store_batch_size",
        "qabot_store_commit_seconds", "qabot_catchup_posts_total", "qabot_import_messages_total",
        "qabot_rate_limited_total", "qabot_errors_total", "process_cpu_seconds_total",
    ):  # fmt: skip
        assert f"# TYPE {name.removesuffix('_total')}" in text


async def test_an_ops_port_in_use_stops_start_up_with_one_line(
    readiness: Readiness, metrics: PrometheusMetrics
) -> None:
    taken = await start_ops(OpsSettings(port=0), OpsParts(readiness, answers, metrics.exposition))
    try:
        with pytest.raises(SettingsError, match=r"\[ops\] cannot listen on 127.0.0.1:\d+"):
            await start_ops(
                OpsSettings(port=taken.port), OpsParts(readiness, answers, metrics.exposition)
            )
    finally:
        await taken.close()


async def test_the_ops_paths_can_join_another_application(readiness: Readiness) -> None:
    app = web.Application()
    add_ops_routes(app, OpsParts(readiness, answers, lambda: b""))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")
        assert response.status == 200
