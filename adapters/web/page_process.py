"""A page process: builds the web view's pages on a core of its own, so that a crawler's pages do
not take the bot's event loop from the votes (adapters/web/page_processes.py starts it).

It opens the store read-only and serves the site itself (adapters/web/site.py, the very
application the bot's process serves) on a Unix socket in a private folder. Each page the bot
hands over the pipe (adapters/web/page_wire.py) is fetched from that site and its status, type
and body go back. A similar list that must be made first is made by the bot's process, the one
that writes. It ends when its stdin closes: when the bot stops, or if it dies.

`python -m adapters.web.page_process`; nothing else should start it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
import tempfile
from itertools import count
from pathlib import Path
from typing import BinaryIO

import aiohttp
from aiohttp import web
from yarl import URL

from adapters.web.page_wire import (
    Failed,
    ListAsk,
    ListDone,
    PageAsk,
    PageReply,
    Started,
    frame,
    read_message,
)
from adapters.web.site import build_app
from bot.domain import Question
from bot.log_format import stderr_handler
from bot.service import QAService
from bot.settings import Settings
from storage import open_store

log = logging.getLogger("qabot.web")

_ORIGIN = "http://pages"  # the Unix socket's site; the host is never looked up
_NICENESS = 10


class _Bot:
    """The pipe back to the bot's process, and the similar lists asked of it."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._ids = count(1)
        self._lists: dict[int, asyncio.Future[None]] = {}

    def send(self, message: object) -> None:
        try:
            self._out.write(frame(message))
            self._out.flush()
        except BrokenPipeError:  # the bot has gone; its end of stdin stops this process too
            # What is left in the buffer goes nowhere, instead of failing again at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._out.fileno())

    async def keep_list(self, question: Question) -> None:
        ask_id = next(self._ids)
        done = self._lists[ask_id] = asyncio.get_running_loop().create_future()
        workspace = question.workspace
        self.send(ListAsk(ask_id, workspace.platform, workspace.workspace_id, question.number))
        await done

    def list_done(self, ask_id: int) -> None:
        if (done := self._lists.pop(ask_id, None)) is not None and not done.done():
            done.set_result(None)

    def stop_waiting(self) -> None:
        """The bot has gone: pages waiting for a list are built without it."""
        for ask_id in list(self._lists):
            self.list_done(ask_id)


async def _page(http: aiohttp.ClientSession, ask: PageAsk, bot: _Bot) -> None:
    try:
        async with http.get(URL(_ORIGIN + ask.path, encoded=True), allow_redirects=False) as got:
            body = await got.read()
            reply = PageReply(ask.ask_id, got.status, got.headers.get("Content-Type", ""), body)
    except Exception:  # the bot's process builds it instead, and the log says why
        log.exception("page process: %s was not built", ask.path[:200])
        reply = PageReply(ask.ask_id, 0, "", b"")
    bot.send(reply)


async def _serve(settings: Settings, inbox: asyncio.StreamReader, bot: _Bot) -> None:
    try:
        store = await open_store(
            settings.storage.url, read_only=True, pool_size=settings.storage.pool_size,
            search_language=settings.search.language,
        )  # fmt: skip
    except Exception as error:
        bot.send(Failed(f"the store cannot be read: {str(error) or type(error).__name__}"))
        return
    service = QAService(store=store, settings=settings)
    app = build_app(service, settings.web, keep_list=bot.keep_list)
    runner = web.AppRunner(app, access_log=None)  # the bot's process serves the request
    try:
        await runner.setup()
        with tempfile.TemporaryDirectory(prefix="qabot-pages-") as folder:
            socket_path = str(Path(folder) / "site.sock")
            await web.UnixSite(runner, socket_path).start()
            connector = aiohttp.UnixConnector(path=socket_path)
            async with aiohttp.ClientSession(connector=connector) as http:
                # What start-up made (modules, the site, the store) lives as long as the process:
                # kept out of the collector's passes, which otherwise scanned it all again now
                # and then in the middle of a page (20-30 ms pauses, docs/performance.md).
                gc.freeze()
                bot.send(Started())
                async with asyncio.TaskGroup() as pages:
                    while (message := await read_message(inbox)) is not None:
                        if isinstance(message, PageAsk):
                            pages.create_task(_page(http, message, bot))
                        elif isinstance(message, ListDone):
                            bot.list_done(message.ask_id)
                    bot.stop_waiting()  # the pages in flight finish, then the group ends
    finally:
        await runner.cleanup()
        await store.close()


async def main() -> None:
    loop = asyncio.get_running_loop()
    inbox = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(inbox), sys.stdin.buffer)
    bot = _Bot(sys.stdout.buffer)
    settings = await read_message(inbox)
    if not isinstance(settings, Settings):
        return  # not started by the bot's process
    level = settings.logging.level.upper()
    handler = stderr_handler(json=settings.logging.format == "json")
    logging.basicConfig(level=level, handlers=[handler])
    try:
        await _serve(settings, inbox, bot)
    except Exception as error:  # one line; the bot's process builds the pages from now on
        reason = f"{type(error).__name__}: {error}"
        log.error("web view: a page process stopped (%s)", reason)
        bot.send(Failed(reason))


if __name__ == "__main__":
    # Votes first: when the cores are busy, the bot's process (its loop, its SQLite checkpoints)
    # runs before a page is built. Measured in docs/performance.md.
    os.nice(_NICENESS)
    # Ctrl-C and a supervisor's SIGTERM reach the whole process group: the bot's process stops
    # in its own time and then closes this one's stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    asyncio.run(main())
