"""`run_web`, as `qabot run` awaits it: it serves the site, and a port in use is one line."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import aiohttp
import pytest

from adapters.web import run_web
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_web_serves_the_front_page(service: QAService, settings: Settings) -> None:
    port = _free_port()
    configured = replace(settings, web=replace(settings.web, port=port))
    task = asyncio.create_task(run_web(configured, service))
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/") as response:
                        assert response.status == 200
                        assert "<h1>Career answers</h1>" in await response.text()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the web view never answered")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_port_in_use_stops_start_up_with_one_line(
    service: QAService, settings: Settings
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        configured = replace(settings, web=replace(settings.web, port=port))
        with pytest.raises(SettingsError, match=rf"web view: 127.0.0.1:{port} is in use; set"):
            await run_web(configured, service)
