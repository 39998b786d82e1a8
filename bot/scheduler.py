"""The digest scheduler: an asyncio task inside `qabot run`, driven by an injected clock.

Every `interval` seconds it asks, for each configured channel, which digest was due last
(bot/digest_schedule.py). A digest due within the last day is claimed through `Store.claim`
(job `digest:<channel>`, period = its local date and time), so exactly one process posts it, once,
however many processes run and however often they restart; an older one is never posted (no
backlog after downtime). An empty digest is claimed but not posted.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.digest_schedule import GRACE, DigestTarget, digest_targets, latest_due, period_key
from bot.ports import Clock
from bot.replies import Digest
from bot.service import QAService
from bot.surfacing import OWNER

__all__ = ["DigestScheduler"]

log = logging.getLogger("qabot.digest")

Sleep = Callable[[float], Awaitable[object]]
_STARTUP_POLL = 1.0
_STARTUP_POLLS = 60


class DigestScheduler:
    def __init__(
        self,
        *,
        service: QAService,
        clock: Clock,
        interval: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        owner: str = OWNER,
    ) -> None:
        self.service = service
        self._settings = service.settings.digest
        self._targets = digest_targets(self._settings)
        self._clock = clock
        self._interval = interval
        self._sleep = sleep
        self._owner = owner

    async def run(self) -> None:
        """Tick until cancelled; a failing tick is logged and the next one tries again."""
        if not self._targets:
            return
        log.info("digest scheduler started for %d channel(s)", len(self._targets))
        for round_number in itertools.count():
            try:
                await self.tick()
            except Exception:
                log.exception("digest tick failed")
            await self._sleep(self._pause(round_number))

    def _pause(self, round_number: int) -> float:
        # Adapters register their posters once connected; until then (for a minute at most)
        # look again every second, so a digest due at start-up is not held back a whole interval.
        posters = self.service.posters
        waiting = any(posters.get(t.workspace.platform) is None for t in self._targets)
        return _STARTUP_POLL if waiting and round_number < _STARTUP_POLLS else self._interval

    async def tick(self) -> list[Digest]:
        """Post every digest that is due now and not yet claimed; return those posted."""
        now = self._clock()
        due = latest_due(self._settings, now)
        if due is None or now - due > GRACE:
            return []
        posted = []
        for target in self._targets:
            digest = await self._post_once(target, due, now)
            if digest is not None:
                posted.append(digest)
        return posted

    async def _post_once(self, target: DigestTarget, due: datetime, now: datetime) -> Digest | None:
        poster = self.service.posters.get(target.workspace.platform)
        if poster is None:  # that platform is not running here; another process may post it
            return None
        claimed = await self.service.store.claim(
            target.workspace, f"digest:{target.channel_id}", period=period_key(due),
            owner=self._owner, at=now,
        )  # fmt: skip
        if not claimed:
            return None
        digest = await self.service.digest(target, due_at=due)
        if digest.is_empty:
            log.info("digest %s for %s is empty; not posted", period_key(due), target.channel_id)
            return None
        try:
            await poster.post_digest(target.workspace, digest)
        except Exception:
            # Claimed, so never posted twice; a refused post is lost, and said so in the log.
            log.exception("posting digest %s to %s failed", period_key(due), target.channel_id)
            return None
        log.info("posted digest %s to %s", period_key(due), target.channel_id)
        return digest
