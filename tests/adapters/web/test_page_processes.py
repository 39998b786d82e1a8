"""`[web] workers`: page processes build the pages the bot's process serves, on both stores.

A page built by a page process is the page the bot's process builds, byte for byte; the similar
list a page needs is made by the bot's process; a page process that ends, or cannot start,
leaves its pages to the bot's process, which keeps answering; and it ends with the site.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adapters.web.page_processes import PageProcesses
from adapters.web.runtime import site_runner
from adapters.web.site import PAGE_PROCESSES
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
    service: QAService, settings: Settings, *, workers: int
) -> AsyncIterator[tuple[aiohttp.ClientSession, web.AppRunner]]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    configured = replace(settings, web=replace(settings.web, workers=workers))
    async with site_runner(service, configured) as runner:
        await web.SockSite(runner, listener).start()
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        async with aiohttp.ClientSession(base) as http:
            yield http, runner


def _processes(runner: web.AppRunner) -> PageProcesses:
    return runner.app[PAGE_PROCESSES]


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


async def test_a_page_process_builds_the_pages_the_bots_process_would(
    service: QAService, settings: Settings, community: Community
) -> None:
    pages = {}
    async with served(service, settings, workers=0) as (http, _):
        for path in _paths(community):
            pages[path] = await fetch(http, path)
    async with served(service, settings, workers=1) as (http, runner):
        for path in _paths(community):
            assert await fetch(http, path) == pages[path], path
        built = _processes(runner).built
    assert built == len(_paths(community)) - 1  # robots.txt is not built from the store
    assert pages[question_path(community.salary)][0] == 200
    assert pages[question_path(community.hidden)][0] == 404
    assert pages["/c/slack/T1/C1?window=forever"][0] == 400


async def test_a_page_that_needs_its_similar_list_gets_it_made_by_the_bots_process(
    service: QAService, settings: Settings, store: Store, community: Community, board: Board
) -> None:
    # Asked while the web view was off: no list kept, so the first view needs one made.
    off = QAService(store=store, settings=Settings(), clock=board.clock)
    channel = ChannelRef(TEAM, CHANNEL)
    first, second = [
        await off.ask(asker=board.user(who), channel=channel, text=text)
        for who, text in (("erin", "Is a bootcamp worth it for data science?"),
                          ("frank", "Data science bootcamp or a degree?"))
    ]  # fmt: skip
    async with served(service, settings, workers=1) as (http, runner):
        status, page = await fetch(http, question_path(first))
        assert _processes(runner).built == 1
    thread = await store.web_thread(TEAM, first.number, answers=10, similar=5)
    assert thread is not None and [q.number for q in thread.similar] == [second.number]
    assert status == 200 and question_path(second) in page
    async with served(service, settings, workers=0) as (http, _):
        assert await fetch(http, question_path(first)) == (status, page)


@ON_SQLITE
async def test_pages_are_built_here_once_the_page_process_ends(
    service: QAService, settings: Settings, community: Community, caplog: pytest.LogCaptureFixture
) -> None:
    path = question_path(community.salary)
    async with served(service, settings, workers=1) as (http, runner):
        before = await fetch(http, path)
        [pid] = _processes(runner).pids
        with caplog.at_level(logging.WARNING, logger="qabot.web"):
            os.kill(pid, signal.SIGKILL)
            for _ in range(200):  # until the bot's process has seen it end
                if "a page process ended" in caplog.text:
                    break
                await asyncio.sleep(0.01)
        assert await fetch(http, path) == before
        assert _processes(runner).built == 1
    assert "a page process ended (exit code -9); pages are built here" in caplog.text


@ON_SQLITE
async def test_a_page_process_that_cannot_read_the_store_leaves_the_pages_here(
    service: QAService,
    settings: Settings,
    community: Community,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "elsewhere.db"
    elsewhere = replace(settings, storage=StorageSettings(url=f"sqlite:///{missing}"))
    with caplog.at_level(logging.WARNING, logger="qabot.web"):
        async with served(service, elsewhere, workers=1) as (http, runner):
            status, page = await fetch(http, question_path(community.salary))
            assert _processes(runner).pids == []
    assert status == 200 and "Know your market rate first." in page
    assert "a page process did not start (the store cannot be read:" in caplog.text
    assert "there is no such file); pages are built here" in caplog.text
    assert not missing.exists()


@ON_SQLITE
async def test_the_page_processes_end_with_the_site(
    service: QAService, settings: Settings, community: Community
) -> None:
    async with served(service, settings, workers=2) as (http, runner):
        for _ in range(4):
            assert (await fetch(http, question_path(community.salary)))[0] == 200
        pids = _processes(runner).pids
        assert len(pids) == 2 and _processes(runner).built == 4
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
