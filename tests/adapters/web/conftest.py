"""The web view on a real SQLite file, served on 127.0.0.1 by the real aiohttp application, with
a small community: published questions, and one of each kind that must never show."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Page, async_playwright

from adapters.web.site import build_app
from bot.domain import ChannelRef, Question
from bot.service import QAService
from bot.settings import ModeratorSettings, Settings, StorageSettings
from bot.surfacing_verbs import run_surfacing_verb
from bot.web_settings import WebSettings
from tests.conftest import CHANNEL, MODERATOR, TEAM, Board

SALARY = "How do I negotiate a higher salary for a new job offer? #pay"
INTERVIEWING = "Should I tell my manager that I am interviewing elsewhere? #career"
HEADLINE = "Staff engineer at Acme"
SECRET_ASKER = "Dorothea"  # the anonymous asker's display name: never on a page


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The settings of `service`'s store: a page process (`[web] workers`) opens it too."""
    web = WebSettings(enabled=True, channels=(f"slack:T1:{CHANNEL}",), title="Career answers")
    storage = StorageSettings(url=f"sqlite:///{db_path}")
    return Settings(storage=storage, moderators=ModeratorSettings(slack=(MODERATOR,)), web=web)


@dataclass
class Community:
    """What the seed asked: the published questions and each kind of unpublished one."""

    salary: Question
    interviewing: Question
    private: Question
    unlisted: Question
    hidden: Question
    removed: Question


async def qa(board: Board, who: str, words: str) -> str:
    """`/qa <words>` as `who` would type it on any platform; the sentence they get back."""
    verb, _, rest = words.partition(" ")
    reply = await run_surfacing_verb(
        board.service, verb=verb, rest=rest, user=board.user(who), channel_id=CHANNEL
    )
    return str(getattr(reply, "sentence", ""))


async def _ask(board: Board, text: str, *, channel: str, private: bool = False) -> Question:
    return await board.service.ask(
        asker=board.user("erin"), channel=ChannelRef(TEAM, channel, is_private=private), text=text
    )


@pytest.fixture
async def community(board: Board) -> Community:
    await qa(board, "alice", f"headline {HEADLINE}")
    await qa(board, "bob", "headline Recruiter")
    salary = await board.ask("alice", SALARY)
    market = await board.answer("bob", salary, "Know your market rate first.")
    await board.answer("carol", salary, "Get the offer in writing <script>alert(1)</script>")
    await board.votes(market, "👍", "v1", "v2")
    await board.service.accept(actor=board.user("alice"), answer="A2")
    interviewing = await board.ask("dorothea", INTERVIEWING, anonymous=True)
    await board.answer("bob", interviewing, "No, not until you have an offer.")
    private = await _ask(board, "A private question about salary", channel="CPRIV", private=True)
    unlisted = await _ask(board, "An unlisted question about salary", channel="C2")
    hidden = await board.ask("erin", "A hidden question about salary")
    await qa(board, "erin", f"web hide {hidden.post_id}")
    removed = await board.ask("erin", "A removed question about salary")
    await board.service.remove(actor=board.user(MODERATOR), post=str(removed.post_id))
    return Community(salary, interviewing, private, unlisted, hidden, removed)


@pytest.fixture
async def site(service: QAService, settings: Settings) -> AsyncIterator[str]:
    """The base URL of the running site; its canonical URLs use the same address."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    runner = web.AppRunner(build_app(service, replace(settings.web, public_url=base)))
    await runner.setup()
    await web.SockSite(runner, listener).start()
    yield base
    await runner.cleanup()


@pytest.fixture
async def http(site: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(site) as session:
        yield session


async def fetch(http: aiohttp.ClientSession, path: str) -> tuple[int, str]:
    async with http.get(path, allow_redirects=False) as response:
        return response.status, await response.text()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    """A tab of Debian's Chromium, driven by Playwright: no browser is downloaded. `.ci/run`
    installs Chromium with apt-get; elsewhere these tests say how to get it, and skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield await browser.new_page()
        finally:
            await browser.close()
