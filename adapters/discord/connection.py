"""Staying connected to Discord's gateway, and saying so in one line when it cannot.

discord.py reconnects on its own, forever, logging a full traceback before every attempt. Here
each attempt is one log line, and a gateway that stays out of reach (never reached at start-up,
or lost and not back within a while) ends the adapter with one `SettingsError` line saying what
to check.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from bot.errors import SettingsError
from bot.readiness import READY

__all__ = ["GatewayWatch", "one_line_reconnects"]

# discord.py's own loggers for its reconnect attempts: one connection, and each shard's.
_RECONNECT_LOGGERS = ("discord.client", "discord.shard")


class _OneLine(logging.Filter):
    """A record with a traceback becomes one line naming the error instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = record.exc_text = None
        return True


def one_line_reconnects() -> None:
    """Make discord.py's "Attempting a reconnect" and "Failed to connect" log records one line
    each (once per process)."""
    for name in _RECONNECT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, _OneLine) for existing in logger.filters):
            logger.addFilter(_OneLine())


class GatewayWatch:
    """Whether each gateway connection this process owns is up and READY, and since when one
    has not been.

    Without sharding there is one connection (shard None); with sharding, one per shard this
    process owns. The client calls `up(shard)` when a connection is made or resumed,
    `ready(shard)` on READY or RESUMED and `down(shard)` on a disconnect; `state()` is what
    /readyz reports, and `until_lost()` raises once a connection has been out of reach for too
    long.
    """

    def __init__(
        self,
        *,
        gateway: str,
        shards: Sequence[int] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self._clock = clock
        self._shards: tuple[int | None, ...] = tuple(shards) or (None,)
        started = clock()
        self._down_since: dict[int | None, float] = dict.fromkeys(self._shards, started)
        self._ever_up: set[int | None] = set()
        self._ready: set[int | None] = set()

    def up(self, shard: int | None = None) -> None:
        now = self._clock()
        self._down_since.pop(shard, None)
        self._ever_up.add(shard)
        # A process's shards connect one after another, seconds apart: one that has not had its
        # turn yet is waiting, not out of reach, while the others keep coming up.
        for waiting in self._down_since:
            if waiting not in self._ever_up:
                self._down_since[waiting] = now

    def ready(self, shard: int | None = None) -> None:
        # discord.py sends READY a moment after the connection's first events (once the guilds
        # have arrived): if the connection dropped meanwhile, it is not ready.
        if shard not in self._down_since:
            self._ready.add(shard)

    def down(self, shard: int | None = None) -> None:
        self._down_since.setdefault(shard, self._clock())
        self._ready.discard(shard)

    def state(self) -> str:
        """READY once every owned connection is READY; else why not ("connecting" before the
        first READY, "disconnected" after a loss), with how many shards are ready if sharded."""
        if self._ready.issuperset(self._shards):
            return READY
        lost = any(s in self._ever_up for s in self._shards if s not in self._ready)
        why = "disconnected" if lost else "connecting"
        if self._shards == (None,):
            return why
        return f"{why} ({len(self._ready)} of {len(self._shards)} shards ready)"

    async def until_lost(self, *, start_within: float, give_up_after: float) -> None:
        """Return never; raise SettingsError when a connection was not made within
        `start_within` seconds of start, or has been lost for `give_up_after` seconds."""
        while True:
            await asyncio.sleep(min(1.0, min(start_within, give_up_after) / 10))
            lost = self.lost(start_within=start_within, give_up_after=give_up_after)
            if lost is not None:
                raise lost

    def lost(self, *, start_within: float, give_up_after: float) -> SettingsError | None:
        """The one line to stop with, if a connection is out of reach for too long now: never
        made within `start_within` seconds (of start, or of the last shard to come up), or lost
        for `give_up_after` seconds."""
        now = self._clock()
        for shard, down_since in self._down_since.items():
            limit = give_up_after if shard in self._ever_up else start_within
            if now - down_since >= limit:
                return self.unreachable(limit, ever_up=shard in self._ever_up)
        return None

    def unreachable(self, limit: float | None = None, *, ever_up: bool = False) -> SettingsError:
        """The one line for a gateway out of reach (for `limit` seconds, if given)."""
        if ever_up and limit is not None:
            return SettingsError(
                f"lost the connection to the Discord gateway at {self.gateway} and could not "
                f"reconnect for {limit:.0f} s: check the network, then start qabot again"
            )
        within = "" if limit is None else f" within {limit:.0f} s"
        return SettingsError(
            f"cannot reach the Discord gateway at {self.gateway}{within}: check "
            "[discord] gateway_url and the network"
        )
