"""A page process: serves the web view on a core of its own, so that a crawler's requests do not
take the bot's event loop from the votes (adapters/web/page_processes.py starts it).

It opens the store read-only and accepts the site's connections on the listening sockets the
bot's process bound and passed down, serving the very application the bot's process would
(adapters/web/site.py). A similar list that must be made first is made by the bot's process, the
one that writes, asked over the pipe (adapters/web/page_wire.py); so are the `[ops]` paths when
they share the port, passed on to the bot's process's own server. It ends when its stdin closes:
when the bot stops, or if it dies.

`python -m adapters.web.page_process`; nothing else should start it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import socket
import sys
from collections.abc import Mapping
from itertools import count
from typing import BinaryIO

import aiohttp
from aiohttp import web
from yarl import URL

from adapters.web.page_wire import (
    Failed,
    ListAsk,
    ListDone,
    Serve,
    Started,
    frame,
    read_message,
)
from adapters.web.site import Handler, build_app
from bot.domain import Question
from bot.log_format import stderr_handler
from bot.service import QAService
from storage import open_store

log = logging.getLogger("qabot.web")

_NICENESS = 10
_FINISH_S = 4.0  # below the 5 s the bot's process waits for this one to end
_BOT_ORIGIN = "http://bot"  # the bot's Unix socket; the host is never looked up
# Headers about one connection, which each hop sets for itself.
_HOP_BY_HOP = {"connection", "content-length", "date", "keep-alive", "server", "transfer-encoding"}


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


def _passed_to_bot(http: aiohttp.ClientSession) -> Handler:
    """A handler that answers with what the bot's process answers to the same request."""

    async def to_bot(request: web.Request) -> web.Response:
        url = URL(_BOT_ORIGIN + request.raw_path, encoded=True)
        async with http.request(
            request.method, url, headers=_end_to_end(request.headers),
            data=await request.read(), allow_redirects=False,
        ) as got:  # fmt: skip
            body = await got.read()
        return web.Response(status=got.status, body=body, headers=_end_to_end(got.headers))

    return to_bot


def _end_to_end(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}


async def _serve(serve: Serve, inbox: asyncio.StreamReader, bot: _Bot) -> None:
    settings = serve.settings
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
    connector = aiohttp.UnixConnector(path=serve.bot_socket) if serve.bot_socket else None
    http = aiohttp.ClientSession(connector=connector)
    for path in serve.bot_paths:
        app.router.add_route("*", path, _passed_to_bot(http))
    # Requests in flight when the bot's process stops get this long, within its own wait.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=_FINISH_S)
    try:
        await runner.setup()
        for listener in serve.listeners:
            await web.SockSite(runner, socket.socket(fileno=listener)).start()
        # What start-up made (modules, the site, the store) lives as long as the process: kept
        # out of the collector's passes, which otherwise scanned it all again now and then in
        # the middle of a page (20-30 ms pauses, docs/performance.md).
        gc.freeze()
        bot.send(Started())
        while (message := await read_message(inbox)) is not None:
            if isinstance(message, ListDone):
                bot.list_done(message.ask_id)
        bot.stop_waiting()  # pages waiting for a list are finished without it
    finally:
        await runner.cleanup()
        await http.close()
        await store.close()


async def main() -> None:
    loop = asyncio.get_running_loop()
    inbox = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(inbox), sys.stdin.buffer)
    bot = _Bot(sys.stdout.buffer)
    serve = await read_message(inbox)
    if not isinstance(serve, Serve):
        return  # not started by the bot's process
    level = serve.settings.logging.level.upper()
    handler = stderr_handler(json=serve.settings.logging.format == "json")
    logging.basicConfig(level=level, handlers=[handler])
    try:
        await _serve(serve, inbox, bot)
    except Exception as error:  # one line; the bot's process serves the site once none is left
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
