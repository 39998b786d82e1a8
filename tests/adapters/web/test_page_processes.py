"""`[web] workers`: page processes serve the site on the port the bot's process binds, on both
stores.

A page served by a page process is the page the bot's process serves, byte for byte; the similar
list a page needs is made by the bot's process, and so are the `[ops]` paths sharing the port; a
page process that ends, or cannot start, leaves the site to the bot's process, which keeps
answering; and it ends with the site.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import aiohttp
import pytest
from aiohttp import web

from adapters.web.runtime import ServedSite, site_served
from bot.domain import ChannelRef
from bot.ports import Store
from bot.service import QAService
from bot.settings import Settings, StorageSettings
from bot.web_settings import question_path
from storage import open_store
from tests.adapters.web.conftest import Community, fetch
from tests.conftest import CHANNEL, TEAM, Board, FakeClock, FreshUrl

BASE = "http://answers.example.org"
# What a page process does when it ends, cannot start or is stopped is the same on either store.
ON_SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@pytest.fixture(params=["sqlite", "postgres"])
async def store_url(request: pytest.FixtureRequest, fresh_url: FreshUrl) -> str:
    return await fresh_url(request.param)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url)
    yield opened
    await opened.close()


@pytest.fixture
def settings(settings: Settings, store_url: str) -> Settings:
    web = replace(settings.web, public_url=BASE)
    return replace(settings, storage=StorageSettings(url=store_url), web=web)


@pytest.fixture
def clock() -> FakeClock:
    """Now: a page process keeps the real time, as `qabot run` does."""
    return FakeClock(datetime.now(UTC))


@asynccontextmanager
async def served(
    service: QAService,
    settings: Settings,
    *,
    workers: int,
    add_routes: Callable[[web.Application], None] | None = None,
) -> AsyncIterator[tuple[aiohttp.ClientSession, ServedSite]]:
    configured = replace(settings, web=replace(settings.web, workers=workers, port=0))
    async with (
        site_served(service, configured, add_routes=add_routes) as site,
        aiohttp.ClientSession(f"http://127.0.0.1:{site.port}") as http,
    ):
        yield http, site


async def _closed(store_url: str) -> QAService:
    """A service whose store is closed: a page this process served would fail."""
    store = await open_store(store_url)
    await store.close()
    return QAService(store=store, settings=Settings())


def _paths(community: Community) -> list[str]:
    salary, anonymous = community.salary, community.interviewing
    return [
        "/", question_path(salary), f"/q/slack/T1/{salary.number}", question_path(anonymous),
        question_path(community.hidden), question_path(community.private),
        question_path(community.removed), "/q/slack/T1/12ab", "/c/slack/T1/C1",
        "/c/slack/T1/C1?window=week&solved=no", "/c/slack/T1/C1?window=forever",
        "/c/slack/T1/C2", "/t/pay", "/t/nothing-here", "/search?q=salary",
        "/search?q=%22salary", "/search?q=" + "salary+" * 20, "/sitemap.xml", "/robots.txt",
    ]  # fmt: skip


async def test_a_page_process_serves_the_pages_the_bots_process_would(
    service: QAService, settings: Settings, community: Community, store_url: str
) -> None:
    pages = {}
    async with served(service, settings, workers=0) as (http, _):
        for path in _paths(community):
            pages[path] = await fetch(http, path)
    # Not one of these pages could be read in the bot's process now.
    async with served(await _closed(store_url), settings, workers=1) as (http, site):
        for path in _paths(community):
            assert await fetch(http, path) == pages[path], path
        assert len(site.processes.pids) == 1
    assert pages[question_path(community.salary)][0] == 200
    assert pages[question_path(community.hidden)][0] == 404
    assert pages["/c/slack/T1/C1?window=forever"][0] == 400


class _NoPages:
    """The bot's store, except that no page can be read from it: the page process reads them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def web_thread(self, *_: object, **__: object) -> None:
        raise AssertionError("a page was read in the bot's process")


async def test_a_page_that_needs_its_similar_list_gets_it_made_by_the_bots_process(
    settings: Settings, store: Store, community: Community, board: Board
) -> None:
    # Asked while the web view was off: no list kept, so the first view needs one made.
    off = QAService(store=store, settings=Settings(), clock=board.clock)
    channel = ChannelRef(TEAM, CHANNEL)
    first, second = [
        await off.ask(asker=board.user(who), channel=channel, text=text)
        for who, text in (("erin", "Is a bootcamp worth it for data science?"),
                          ("frank", "Data science bootcamp or a degree?"))
    ]  # fmt: skip
    bot = QAService(store=cast(Store, _NoPages(store)), settings=settings)
    async with served(bot, settings, workers=1) as (http, _):
        status, page = await fetch(http, question_path(first))
    thread = await store.web_thread(TEAM, first.number, answers=10, similar=5)
    assert thread is not None and [q.number for q in thread.similar] == [second.number]
    assert status == 200 and question_path(second) in page
    async with served(off, settings, workers=0) as (http, _):
        assert await fetch(http, question_path(first)) == (status, page)


async def test_the_ops_paths_sharing_the_port_are_answered_by_the_bots_process(
    service: QAService, settings: Settings
) -> None:
    async def readyz(_request: web.Request) -> web.Response:
        return web.json_response({"pid": os.getpid()}, status=503)

    def add_ops(app: web.Application) -> None:
        app.router.add_get("/readyz", readyz)

    async with served(service, settings, workers=1, add_routes=add_ops) as (http, site):
        async with http.get("/readyz") as response:
            answer = (response.status, response.content_type, await response.json())
        [page_process] = site.processes.pids
    assert answer == (503, "application/json", {"pid": os.getpid()})
    assert page_process != os.getpid()


@ON_SQLITE
async def test_the_bots_process_serves_the_site_once_the_page_process_ends(
    service: QAService, settings: Settings, community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    path = question_path(community.salary)
    async with served(service, settings, workers=1) as (http, site):
        before = await fetch(http, path)
        [pid] = site.processes.pids
        with caplog.at_level(logging.WARNING, logger="qabot.web"):
            os.kill(pid, signal.SIGKILL)
            for _ in range(200):  # until the bot's process has seen it end
                if "the site is served here" in caplog.text:
                    break
                await asyncio.sleep(0.01)
        # A browser opens a new connection when the one it had was cut.
        async with aiohttp.ClientSession(f"http://127.0.0.1:{site.port}") as again:
            assert await fetch(again, path) == before
        assert site.processes.pids == []
    assert "a page process ended (exit code -9)" in caplog.text
    assert "no page process is left; the site is served here" in caplog.text


@ON_SQLITE
async def test_a_page_process_that_cannot_read_the_store_leaves_the_site_here(
    service: QAService,
    settings: Settings,
    community: Community,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "elsewhere.db"
    elsewhere = replace(settings, storage=StorageSettings(url=f"sqlite:///{missing}"))
    with caplog.at_level(logging.WARNING, logger="qabot.web"):
        async with served(service, elsewhere, workers=1) as (http, site):
            status, page = await fetch(http, question_path(community.salary))
            assert site.processes.pids == []
    assert status == 200 and "Know your market rate first." in page
    assert "a page process did not start (the store cannot be read:" in caplog.text
    assert "there is no such file)" in caplog.text
    assert "no page process is left; the site is served here" in caplog.text
    assert not missing.exists()


@ON_SQLITE
async def test_the_page_processes_end_with_the_site(
    store_url: str, settings: Settings, community: Community
) -> None:
    async with served(await _closed(store_url), settings, workers=2) as (http, site):
        for _ in range(4):
            assert (await fetch(http, question_path(community.salary)))[0] == 200
        pids = site.processes.pids
        assert len(pids) == 2
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
