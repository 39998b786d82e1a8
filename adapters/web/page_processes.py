"""The page processes of `[web] workers`, seen from the bot's process.

The bot's process binds the web view's port; its page processes accept the connections and serve
them. Serving a request (aiohttp's part, the store reads, the template) all happens there, so a
crawler takes nothing from the event loop that takes the votes. A page process reads the store
only: the similar list a page needs first is made here, where the writes are made.

A page process that cannot start or ends is reported once in the log; once none is left, this
process serves the site itself (`on_none_left`), and the site keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace

from adapters.web.page_wire import Failed, ListAsk, ListDone, Serve, Started, frame, read_message
from bot.domain import WorkspaceRef
from bot.ports import Store
from bot.settings import Secrets
from bot.similar_lists import keep_for_site

__all__ = ["PageProcesses"]

log = logging.getLogger("qabot.web")

WhenNoneLeft = Callable[[], Coroutine[object, object, None]]

_START_S = 60.0  # opening a large store's files may take a while on a cold machine
_STOP_S = 5.0


class _PageProcess:
    def __init__(self, process: asyncio.subprocess.Process, serve: Serve, store: Store):
        self._process = process
        self._serve = serve
        self._store = store
        self._listening: asyncio.Task[None] | None = None
        self._lists: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._listening is not None and not self._listening.done()

    @classmethod
    async def start(
        cls, serve: Serve, store: Store, ended: Callable[[], None]
    ) -> _PageProcess | None:
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.web.page_process",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                pass_fds=serve.listeners,
            )  # fmt: skip
        except OSError as error:  # no process to be had (a limit on processes, memory)
            _not_started(str(error))
            return None
        assert process.stdin is not None and process.stdout is not None
        page_process = cls(process, serve, store)
        page_process._send(serve)
        try:
            async with asyncio.timeout(_START_S):
                answer = await read_message(process.stdout)
        except TimeoutError:
            answer = Failed(f"it did not start within {_START_S:g} s")
        if not isinstance(answer, Started):
            _not_started(answer.reason if isinstance(answer, Failed) else "it ended while starting")
            await page_process.close()
            return None
        page_process._listening = asyncio.create_task(page_process._listen(process.stdout))
        page_process._listening.add_done_callback(lambda _: ended())
        return page_process

    def _send(self, message: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(frame(message))

    async def _listen(self, asks: asyncio.StreamReader) -> None:
        while (message := await read_message(asks)) is not None:
            if isinstance(message, ListAsk):
                task = asyncio.create_task(self._keep_list(message))
                self._lists.add(task)
                task.add_done_callback(self._lists.discard)
        code = await self._process.wait()
        if not self._closing:
            log.warning("web view: a page process ended (exit code %s)", code)

    async def _keep_list(self, ask: ListAsk) -> None:
        workspace = WorkspaceRef(ask.platform, ask.workspace)
        try:
            question = await self._store.web_question(workspace, ask.number)
            if question is not None:
                await keep_for_site(self._store, self._serve.settings.web, question)
        except Exception:  # the page is shown without the list, and made again next time
            log.exception("web view: the similar list of Q%d was not made", ask.number)
        if self.alive:
            self._send(ListDone(ask.ask_id))

    async def close(self) -> None:
        """Close its stdin: it finishes the requests it has, then ends; killed if it does not."""
        self._closing = True
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        try:
            async with asyncio.timeout(_STOP_S):
                await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        if self._listening is not None:
            self._listening.cancel()
            await asyncio.gather(self._listening, *self._lists, return_exceptions=True)


def _not_started(reason: str) -> None:
    log.warning("web view: a page process did not start (%s)", reason)


class PageProcesses:
    """The page processes serving the site; `on_none_left` is awaited once none is (at start
    too, if none was asked for or started), unless they were closed."""

    def __init__(self, asked: int, on_none_left: WhenNoneLeft) -> None:
        self._asked = asked
        self._processes: list[_PageProcess] | None = None  # None while they start
        self._on_none_left = on_none_left
        self._closing = False
        self._serving_here: asyncio.Task[None] | None = None

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes or () if p.alive]

    @classmethod
    async def start(
        cls,
        serve: Serve,
        store: Store,
        *,
        count: int,
        on_none_left: WhenNoneLeft,
    ) -> PageProcesses:
        """`count` page processes serving `serve.listeners`; the settings they get hold no
        secret, which they do not need."""
        processes = cls(count, on_none_left)
        serve = replace(serve, settings=replace(serve.settings, secrets=Secrets()))
        started = await asyncio.gather(
            *(_PageProcess.start(serve, store, processes._one_ended) for _ in range(count))
        )
        processes._processes = [p for p in started if p is not None]
        processes._one_ended()
        if processes._serving_here is not None:  # listening before the site is said to be up
            await processes._serving_here
        return processes

    def _one_ended(self) -> None:
        if self._processes is None or self._closing or self._serving_here is not None:
            return
        if any(p.alive for p in self._processes):
            return
        if self._asked:
            log.warning("web view: no page process is left; the site is served here")
        self._serving_here = asyncio.create_task(self._on_none_left())

    async def close(self) -> None:
        self._closing = True
        await asyncio.gather(*(p.close() for p in self._processes or ()))
        if self._serving_here is not None:
            await self._serving_here
