"""Per-person limits on asking and voting, and the vote cooldown, on an injected clock.

Each limit is a sliding window: at most `limit` accepted actions per `window` for one key (a
person in a workspace, or a person on one post). An action takes its place before it runs and
keeps it only if it changed something, so a typo or a refused vote never uses up anyone's
allowance.
The windows live in this process's memory: a restart forgets them, which is harmless (the
defaults are far above what a community does by accident) and keeps every vote write one
statement.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import PostId, UserRef
from bot.errors import RateLimited
from bot.ports import Clock
from bot.settings import LimitsSettings

__all__ = ["Limits", "SlidingWindow", "Slot"]


class SlidingWindow:
    """At most `limit` events per `window` for each key.

    A key's times are a plain list (a deque costs about 600 bytes even for one entry, and a
    window holds a key per person who voted in the last minute). Keys idle for a whole window
    are swept out at most once per window, so the table stays bounded by recent activity even
    for people who never come back.
    """

    def __init__(self, *, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[Hashable, list[datetime]] = {}
        self._swept: datetime | None = None

    def __len__(self) -> int:
        """How many keys are remembered (tests: that idle ones are forgotten)."""
        return len(self._events)

    def wait_for(self, key: Hashable, now: datetime) -> timedelta | None:
        """How long until `key` may act again, or None if it may act now."""
        if self.limit <= 0:  # 0 switches the limit off
            return None
        events = self._recent(key, now)
        if len(events) < self.limit:
            return None
        return events[0] + self.window - now

    def record(self, key: Hashable, now: datetime) -> None:
        if self.limit <= 0:
            return
        events = self._events.get(key)
        if events is None:
            self._events[key] = [now]
        else:
            events.append(now)
        self._sweep(now)

    def forget(self, key: Hashable, at: datetime) -> None:
        """Give back an event recorded at `at` (the action changed nothing, or failed)."""
        events = self._events.get(key)
        if events is not None and at in events:
            events.remove(at)
            if not events:
                del self._events[key]

    def _recent(self, key: Hashable, now: datetime) -> list[datetime]:
        events = self._events.get(key)
        if events is None:
            return []
        cutoff = now - self.window
        stale = 0
        while stale < len(events) and events[stale] <= cutoff:
            stale += 1
        if stale:
            del events[:stale]
        if not events:  # forget idle keys, so the table holds only people active right now
            del self._events[key]
        return events

    def _sweep(self, now: datetime) -> None:
        if self._swept is None:
            self._swept = now
        if now - self._swept < self.window:
            return
        self._swept = now
        cutoff = now - self.window
        idle = [key for key, events in self._events.items() if not events or events[-1] <= cutoff]
        for key in idle:
            del self._events[key]


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


@dataclass
class Slot:
    """A place taken in one or more windows; given back on leaving unless `keep` is set."""

    keep: bool = False
    taken: list[tuple[SlidingWindow, Hashable, datetime]] = field(default_factory=list)


class Limits:
    """The limits QAService applies; `settings` says how many, `clock` says when.

    A place is taken before the action's first await and given back if it changed nothing, so
    concurrent events (Discord dispatches each in its own task) cannot all pass one check.
    """

    def __init__(self, settings: LimitsSettings, clock: Clock) -> None:
        self._clock = clock
        self._asks = SlidingWindow(limit=settings.asks_per_hour, window=timedelta(hours=1))
        self._votes = SlidingWindow(limit=settings.votes_per_minute, window=timedelta(minutes=1))
        # Changes by one person on one post: an add/remove/add storm stops moving the count.
        self._churn = SlidingWindow(
            limit=settings.vote_changes_per_post,
            window=timedelta(seconds=settings.vote_cooldown_seconds),
        )
        # The latest vote change started per person and post, while it is being written.
        self._in_flight: dict[tuple[str, ...], tuple[str, object]] = {}

    @staticmethod
    def _person(user: UserRef) -> tuple[str, str, str]:
        return (user.workspace.platform, user.workspace.workspace_id, user.user_id)

    @contextmanager
    def asking(self, asker: UserRef) -> Iterator[Slot]:
        """Around storing a question: RateLimited when over; the place is kept on success."""
        now, person = self._clock(), self._person(asker)
        wait = self._asks.wait_for(person, now)
        if wait is not None:
            raise RateLimited(
                f"You have asked {self._asks.limit} questions in the last hour, the most "
                f"one person can; please wait {_wait_text(wait)} before asking again."
            )
        with self._taking([(self._asks, person)], now) as slot:
            yield slot
            slot.keep = True

    @contextmanager
    def voting(self, voter: UserRef, post: PostId, *, action: str) -> Iterator[Slot]:
        """Around a vote write: RateLimited when over; set `slot.keep` if the write changed a
        vote. `action` names the change (`+👍`): the same change delivered again while it is the
        latest being written is a redelivery, neither checked nor counted; +, -, + is a storm."""
        now, person = self._clock(), self._person(voter)
        on_post = (*person, str(post))
        latest = self._in_flight.get(on_post)
        if latest is not None and latest[0] == action:
            yield Slot()  # the change being written right now, delivered again
            return
        wait = self._churn.wait_for(on_post, now)
        if wait is not None:
            raise RateLimited(
                f"You changed your vote on {post} several times just now; it stays as it is. "
                f"Try again in {_wait_text(wait)}."
            )
        wait = self._votes.wait_for(person, now)
        if wait is not None:
            raise RateLimited(
                f"You have voted {self._votes.limit} times in the last minute, the most one "
                f"person can; please wait {_wait_text(wait)}."
            )
        token = (action, object())
        self._in_flight[on_post] = token
        try:
            with self._taking([(self._churn, on_post), (self._votes, person)], now) as slot:
                yield slot
        finally:
            if self._in_flight.get(on_post) is token:
                del self._in_flight[on_post]

    @contextmanager
    def _taking(
        self, places: list[tuple[SlidingWindow, Hashable]], now: datetime
    ) -> Iterator[Slot]:
        slot = Slot()
        for window, key in places:
            window.record(key, now)
            slot.taken.append((window, key, now))
        try:
            yield slot
        finally:
            if not slot.keep:
                for window, key, at in slot.taken:
                    window.forget(key, at)
