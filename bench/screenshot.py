"""`python -m bench.screenshot [path]`: render a question's page of the web view into a PNG
(docs/web.png by default) for the README.

A small community is asked on a fresh SQLite file in a temporary folder, the real site is served
on 127.0.0.1, and Debian's Chromium (/usr/bin/chromium) takes the picture through Playwright (the
`dev` extra); no browser is downloaded.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from adapters.web.site import build_app
from bot.domain import ChannelRef, Question, UserRef, WorkspaceRef
from bot.headlines import change_headline
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import WebSettings, question_path
from storage import open_store

__all__ = ["main"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO = WorkspaceRef("console", "demo")
QUESTION = (
    "How do I negotiate a higher salary for a new job offer when the recruiter asks for my "
    "current pay first? #negotiation #offers"
)
ANSWERS = (
    ("priya", "Engineering manager, fintech", 7, 1,
     "Don't give a number first. Say you are focusing on roles in a range that matches the market "
     "for the level, then ask what the budget for the role is."),
    ("sam", "Senior software engineer at a scale-up", 4, 0,
     "Get competing offers moving in parallel: nothing moves a number like a second offer."),
    ("lee", "", 1, 2, "Just accept the first offer, it's rude to negotiate."),
)  # fmt: skip


def _person(name: str) -> UserRef:
    return UserRef(DEMO, name, name.capitalize())


async def _seed(service: QAService) -> Question:
    asked = await service.ask(
        asker=_person("ana"), channel=ChannelRef(DEMO, "career"), text=QUESTION
    )
    await change_headline(service.store, user=_person("ana"), rest="New grad, backend")
    for name, headline, ups, downs, text in ANSWERS:
        if headline:
            await change_headline(service.store, user=_person(name), rest=headline)
        answer, _ = await service.answer(author=_person(name), question=asked.post_id, text=text)
        voters = [(f"up{i}", "👍") for i in range(ups)] + [(f"down{i}", "👎") for i in range(downs)]
        for voter, emoji in voters:
            await service.react(voter=_person(voter), target=answer.post_id, emoji=emoji)
    await service.accept(actor=_person("ana"), answer="A1")
    return asked


async def render(target: Path) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(f"sqlite:///{folder}/demo.db")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        web_settings = WebSettings(
            enabled=True, channels=("console:demo:*",), title="Career answers"
        )
        settings = replace(Settings(), web=replace(web_settings, public_url=base))
        service = QAService(store=store, settings=settings)
        runner = web.AppRunner(build_app(service, settings.web))
        try:
            page_path = question_path(await _seed(service))
            await runner.setup()
            await web.SockSite(runner, listener).start()
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = await browser.new_page(viewport={"width": 960, "height": 900})
                await page.goto(base + page_path)
                await page.screenshot(path=str(target), full_page=True)
                await browser.close()
        finally:
            await runner.cleanup()
            await store.close()


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/web.png")
    asyncio.run(render(target))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
