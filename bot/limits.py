"""Per-person limits on asking and voting, and the vote cooldown, on an injected clock.

Each limit is a sliding window: at most `limit` accepted actions per `window` for one key (a
person in a workspace, or a person on one post). An action is checked before it runs and recorded
only once it changed something, so a typo or a refused vote never uses up anyone's allowance.
The windows live in this process's memory: a restart forgets them, which is harmless (the
defaults are far above what a community does by accident) and keeps every vote write one
statement.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from datetime import datetime, timedelta

from bot.domain import PostId, UserRef
from bot.errors import RateLimited
from bot.ports import Clock
from bot.settings import LimitsSettings

__all__ = ["Limits", "SlidingWindow"]


class SlidingWindow:
    """At most `limit` events per `window` for each key."""

    def __init__(self, *, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[Hashable, deque[datetime]] = {}

    def wait_for(self, key: Hashable, now: datetime) -> timedelta | None:
        """How long until `key` may act again, or None if it may act now."""
        if self.limit <= 0:  # 0 switches the limit off
            return None
        events = self._recent(key, now)
        if len(events) < self.limit:
            return None
        return events[0] + self.window - now

    def record(self, key: Hashable, now: datetime) -> None:
        if self.limit > 0:
            self._events.setdefault(key, deque()).append(now)

    def _recent(self, key: Hashable, now: datetime) -> deque[datetime]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:  # forget idle keys, so the table holds only people active right now
            del self._events[key]
        return events


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


class Limits:
    """The limits QAService applies; `settings` says how many, `clock` says when."""

    def __init__(self, settings: LimitsSettings, clock: Clock) -> None:
        self._clock = clock
        self._asks = SlidingWindow(limit=settings.asks_per_hour, window=timedelta(hours=1))
        self._votes = SlidingWindow(limit=settings.votes_per_minute, window=timedelta(minutes=1))
        # Changes by one person on one post: an add/remove/add storm stops moving the count.
        self._churn = SlidingWindow(
            limit=settings.vote_changes_per_post,
            window=timedelta(seconds=settings.vote_cooldown_seconds),
        )

    @staticmethod
    def _person(user: UserRef) -> tuple[str, str, str]:
        return (user.workspace.platform, user.workspace.workspace_id, user.user_id)

    def check_ask(self, asker: UserRef) -> None:
        wait = self._asks.wait_for(self._person(asker), self._clock())
        if wait is not None:
            raise RateLimited(
                f"You have asked {self._asks.limit} questions in the last hour, the most "
                f"one person can; please wait {_wait_text(wait)} before asking again."
            )

    def asked(self, asker: UserRef) -> None:
        self._asks.record(self._person(asker), self._clock())

    def check_vote(self, voter: UserRef, post: PostId) -> None:
        now = self._clock()
        wait = self._churn.wait_for((*self._person(voter), str(post)), now)
        if wait is not None:
            raise RateLimited(
                f"You changed your vote on {post} several times just now; it stays as it is. "
                f"Try again in {_wait_text(wait)}."
            )
        wait = self._votes.wait_for(self._person(voter), now)
        if wait is not None:
            raise RateLimited(
                f"You have voted {self._votes.limit} times in the last minute, the most one "
                f"person can; please wait {_wait_text(wait)}."
            )

    def voted(self, voter: UserRef, post: PostId) -> None:
        now = self._clock()
        self._churn.record((*self._person(voter), str(post)), now)
        self._votes.record(self._person(voter), now)
