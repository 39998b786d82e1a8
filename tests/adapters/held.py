"""A held answer, for the fake platforms: read when the request comes, sent when a test says.

A test holds one route of a fake, waits for `arrived` (the platform has read what it shows and
the answer is on its way), changes things live meanwhile, then `release`s the answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Held:
    """One held answer: `arrived` is set once the request came and its answer was read."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self) -> None:
        self.arrived.set()
        await self._release.wait()

    def release(self) -> None:
        self._release.set()
