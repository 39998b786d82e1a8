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
from collections.abc import Callable

from bot.errors import SettingsError

__all__ = ["GatewayWatch", "one_line_reconnects"]

# discord.py's own logger for its reconnect attempts.
_RECONNECT_LOGGER = "discord.client"


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
    """Make discord.py's "Attempting a reconnect" log records one line each (once per process)."""
    logger = logging.getLogger(_RECONNECT_LOGGER)
    if not any(isinstance(existing, _OneLine) for existing in logger.filters):
        logger.addFilter(_OneLine())


class GatewayWatch:
    """Whether the gateway is connected now, and since when it has not been.

    The client calls `up()` on ready or resumed and `down()` on disconnect; `until_lost()`
    raises once the gateway has been out of reach for too long.
    """

    def __init__(self, *, gateway: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.gateway = gateway
        self._clock = clock
        self._down_since: float | None = clock()  # not connected yet
        self._ever_up = False

    def up(self) -> None:
        self._down_since = None
        self._ever_up = True

    def down(self) -> None:
        if self._down_since is None:
            self._down_since = self._clock()

    async def until_lost(self, *, start_within: float, give_up_after: float) -> None:
        """Return never; raise SettingsError when the gateway was not reached within
        `start_within` seconds of start, or has been lost for `give_up_after` seconds."""
        while True:
            limit = give_up_after if self._ever_up else start_within
            await asyncio.sleep(min(1.0, limit / 10))
            down_since = self._down_since
            if down_since is not None and self._clock() - down_since >= limit:
                raise self.unreachable(limit)

    def unreachable(self, limit: float | None = None) -> SettingsError:
        """The one line for a gateway out of reach (for `limit` seconds, if given)."""
        if self._ever_up and limit is not None:
            return SettingsError(
                f"lost the connection to the Discord gateway at {self.gateway} and could not "
                f"reconnect for {limit:.0f} s: check the network, then start qabot again"
            )
        within = "" if limit is None else f" within {limit:.0f} s"
        return SettingsError(
            f"cannot reach the Discord gateway at {self.gateway}{within}: check "
            "[discord] gateway_url and the network"
        )
