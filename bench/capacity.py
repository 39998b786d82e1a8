"""Capacity: the highest request rate at which a server's p99 latency stays within a limit.

The rate doubles from `start` until a step misses the limit, then the interval between the last
good and the first bad rate is bisected until it is narrower than about 5 % of the good rate.
A step over the limit is run once more and the better p99 of the two counts: other work on the
machine only ever adds latency, so one stray stall does not end the search early.
`p99_at(rate)` runs one load step at `rate` requests per second and returns its p99 in ms; the
caller owns the load generator, so HTTP and Socket Mode measurements share this search.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

__all__ = ["find_capacity"]

# The search stops doubling here, far above what one Python process serves on loopback.
_CEILING = 102_400
# Bisection stops when the interval is narrower than this share of the good rate (or 5 requests/s):
# one step's p99 varies by more than that between runs on a busy machine.
_RESOLUTION = 0.05


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def _within(p99_at: Callable[[int], Awaitable[float]], rate: int, limit_ms: float) -> bool:
    p99 = await p99_at(rate)
    if p99 > limit_ms:
        p99 = min(p99, await p99_at(rate))
    _say(f"  {rate:>7,}/s: p99 {p99:8.2f} ms {'ok' if p99 <= limit_ms else 'over'}")
    return p99 <= limit_ms


async def find_capacity(
    p99_at: Callable[[int], Awaitable[float]], *, limit_ms: float = 50, start: int = 50
) -> int:
    """The highest rate (requests/s) whose p99 was within `limit_ms`; 0 if none was."""
    good, bad = 0, start
    while bad <= _CEILING and await _within(p99_at, bad, limit_ms):
        good, bad = bad, bad * 2
    if bad > _CEILING:
        return good
    while bad - good > max(5, int(good * _RESOLUTION)):
        middle = (good + bad) // 2
        if await _within(p99_at, middle, limit_ms):
            good = middle
        else:
            bad = middle
    return good
