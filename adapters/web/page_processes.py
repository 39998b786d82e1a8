"""The page processes of `[web] workers`, seen from the bot's process.

The bot's event loop serves every request of the web view. Building a page (its store reads,
its template) is most of a page's time, and on one loop it is time taken from the votes: so
each page is handed to a page process (adapters/web/page_process.py), in turn, and its answer
written back. A page process reads the store only; the similar list a page needs first is made
here, where the writes are made.

A page process that cannot start, stops answering or ends leaves its pages to this process: the
site keeps answering and the log says why once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import replace
from itertools import count, cycle

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
from bot.domain import WorkspaceRef
from bot.ports import Store
from bot.settings import Secrets, Settings
from bot.similar_lists import keep_for_site

__all__ = ["PageProcesses"]

log = logging.getLogger("qabot.web")

_START_S = 60.0  # opening a large store's files may take a while on a cold machine
_PAGE_S = 10.0  # then this process builds the page itself
_STOP_S = 5.0


class _PageProcess:
    def __init__(self, process: asyncio.subprocess.Process, settings: Settings, store: Store):
        self._process = process
        self._settings = settings
        self._store = store
        self._ids = count(1)
        self._asks: dict[int, asyncio.Future[PageReply | None]] = {}
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
    async def start(cls, settings: Settings, store: Store) -> _PageProcess | None:
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.web.page_process",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
        except OSError as error:  # no process to be had (a limit on processes, memory)
            _not_started(str(error))
            return None
        assert process.stdin is not None and process.stdout is not None
        page_process = cls(process, settings, store)
        page_process._send(replace(settings, secrets=Secrets()))  # it needs no token
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
        return page_process

    def _send(self, message: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(frame(message))

    async def page(self, path: str) -> PageReply | None:
        """The page at `path` (with its query), or None if this process must build it."""
        if not self.alive:
            return None
        ask_id = next(self._ids)
        reply = self._asks[ask_id] = asyncio.get_running_loop().create_future()
        self._send(PageAsk(ask_id, path))
        try:
            async with asyncio.timeout(_PAGE_S):
                built = await reply
        except TimeoutError:
            log.warning("web view: a page process took over %g s for a page", _PAGE_S)
            return None
        finally:
            self._asks.pop(ask_id, None)
        return built if built is not None and built.status else None

    async def _listen(self, replies: asyncio.StreamReader) -> None:
        while (message := await read_message(replies)) is not None:
            if isinstance(message, PageReply):
                if (waiting := self._asks.get(message.ask_id)) and not waiting.done():
                    waiting.set_result(message)
            elif isinstance(message, ListAsk):
                task = asyncio.create_task(self._keep_list(message))
                self._lists.add(task)
                task.add_done_callback(self._lists.discard)
        for waiting in self._asks.values():
            if not waiting.done():
                waiting.set_result(None)
        code = await self._process.wait()
        if not self._closing:
            log.warning("web view: a page process ended (exit code %s); pages are built here", code)

    async def _keep_list(self, ask: ListAsk) -> None:
        workspace = WorkspaceRef(ask.platform, ask.workspace)
        try:
            question = await self._store.web_question(workspace, ask.number)
            if question is not None:
                await keep_for_site(self._store, self._settings.web, question)
        except Exception:  # the page is shown without the list, and made again next time
            log.exception("web view: the similar list of Q%d was not made", ask.number)
        if self.alive:
            self._send(ListDone(ask.ask_id))

    async def close(self) -> None:
        """Close its stdin: it finishes the pages it has, then ends; killed if it does not."""
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
    log.warning("web view: a page process did not start (%s); pages are built here", reason)


class PageProcesses:
    """`count` page processes, asked in turn; a page none can build is built here (None)."""

    def __init__(self, processes: list[_PageProcess]) -> None:
        self._processes = processes
        self._turns = cycle(processes)
        self.built = 0  # pages the page processes built (tests)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes]

    @classmethod
    async def start(cls, settings: Settings, store: Store, *, count: int) -> PageProcesses:
        started = await asyncio.gather(*(_PageProcess.start(settings, store) for _ in range(count)))
        return cls([p for p in started if p is not None])

    async def page(self, path: str) -> PageReply | None:
        for _ in self._processes:
            page_process = next(self._turns)
            if page_process.alive:
                built = await page_process.page(path)
                self.built += built is not None
                return built
        return None

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for p in self._processes))
