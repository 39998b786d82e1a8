"""Running `qabot run`'s tasks until they end or the process is asked to stop.

On SIGTERM or SIGINT every task is cancelled: each adapter then stops taking events, lets the
work it acknowledged finish and closes its connections (in its own `finally`), within the time
given; the store is closed after, by the caller, which commits what is queued.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

__all__ = ["run_until_stopped"]

log = logging.getLogger("qabot")


async def run_until_stopped(
    runners: Sequence[Awaitable[None]], *, within: float, report: Callable[[str], None]
) -> int:
    """Await `runners` until they end (0; their error raised) or a stop signal comes: then 0
    once they stopped within `within` seconds, else 1 with one line to `report`."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    work: asyncio.Future[Any] = asyncio.gather(*runners)
    stopping: asyncio.Future[Any] = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([work, stopping], return_when=asyncio.FIRST_COMPLETED)
        if work.done():
            work.result()
            return 0
        log.info("stopping: finishing acknowledged work for at most %g s", within)
        work.cancel()
        _, unfinished = await asyncio.wait({work}, timeout=within)
    finally:
        stopping.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)
    if unfinished:
        report(f"stopped with work unfinished after {within:g} s")
        return 1
    return _stopped(work, report)


def _stopped(work: asyncio.Future[Any], report: Callable[[str], None]) -> int:
    """0 when the tasks stopped cleanly; else one line saying what went wrong."""
    try:
        error = work.exception()
    except asyncio.CancelledError:
        return 0
    if error is None or isinstance(error, asyncio.CancelledError):
        return 0
    report(f"stopping failed: {type(error).__name__}: {error}")
    return 1
