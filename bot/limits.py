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
from datetime import timedelta

from bot.domain import PostId, UserRef
from bot.errors import RateLimited
from bot.ports import Clock
from bot.settings import LimitsSettings

__all__ = ["Limits", "SlidingWindow", "Slot"]

# A key's times (seconds since the epoch): the one time itself, or a list once there are two or
# more. A float is half a datetime's size, and one is shared by the windows an action enters.
_Times = float | list[float]


class SlidingWindow:
    """At most `limit` events per `window` for each key.

    The windows hold a key per person who voted in the last minute (tens of thousands in a busy
    minute), so a key's times are kept small: a key with one event holds that time itself, and
    only a key with two or more holds a list (an empty list costs 56 bytes, a deque about 600).
    Keys idle for a whole window are swept out at most once per window, so the table stays
    bounded by recent activity even for people who never come back.
    """

    __slots__ = ("_events", "_span", "_swept", "limit", "window")

    def __init__(self, *, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._span = window.total_seconds()
        self._events: dict[Hashable, _Times] = {}
        self._swept: float | None = None

    def __len__(self) -> int:
        """How many keys are remembered (tests: that idle ones are forgotten)."""
        return len(self._events)

    def wait_for(self, key: Hashable, now: float) -> timedelta | None:
        """How long until `key` may act again, or None if it may act now."""
        if self.limit <= 0:  # 0 switches the limit off
            return None
        times = self._events.get(key)
        if times is None:
            return None
        cutoff = now - self._span
        if not isinstance(times, list):  # one event
            if times <= cutoff:  # forget idle keys, so the table holds only people active now
                del self._events[key]
                return None
            return timedelta(seconds=times + self._span - now) if self.limit <= 1 else None
        stale = 0
        while stale < len(times) and times[stale] <= cutoff:
            stale += 1
        if stale:
            del times[:stale]
            if not times:
                del self._events[key]
                return None
        if len(times) < self.limit:
            return None
        return timedelta(seconds=times[0] + self._span - now)

    def record(self, key: Hashable, now: float) -> None:
        if self.limit <= 0:
            return
        events = self._events
        times = events.get(key)
        if times is None:
            events[key] = now
        elif isinstance(times, list):
            times.append(now)
        else:
            events[key] = [times, now]
        if self._swept is None:
            self._swept = now
        if now - self._swept >= self._span:
            self._sweep(now)

    def forget(self, key: Hashable, at: float) -> None:
        """Give back an event recorded at `at` (the action changed nothing, or failed)."""
        times = self._events.get(key)
        if times is None:
            return
        if not isinstance(times, list):
            if times == at:
                del self._events[key]
        elif at in times:
            times.remove(at)
            if len(times) == 1:
                self._events[key] = times[0]
            elif not times:
                del self._events[key]

    def _sweep(self, now: float) -> None:
        self._swept = now
        cutoff = now - self._span
        idle = []
        for key, times in self._events.items():
            if isinstance(times, list):
                if not times or times[-1] <= cutoff:
                    idle.append(key)
            elif times <= cutoff:
                idle.append(key)
        for key in idle:
            del self._events[key]

    def sweep_if_due(self, now: float) -> None:
        """Sweep out idle keys if a whole window has passed since the last sweep."""
        if self._swept is not None and now - self._swept >= self._span:
            self._sweep(now)


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


@dataclass(slots=True)
class Slot:
    """A place taken in one or more windows; given back on leaving unless `keep` is set."""

    keep: bool = False
    taken: list[tuple[SlidingWindow, Hashable, float]] = field(default_factory=list)


_MINUTE = timedelta(minutes=1)
_MINUTE_S = _MINUTE.total_seconds()


class _Workspace:
    """One workspace's windows. Keys are a user id (asks, votes) or the hash of (user id, post)
    (churn, in flight): a workspace's own table instead of (platform, workspace, user) tuples
    saves a tuple per voter, and a 64-bit hash (32 bytes) instead of a "<user> <post>" string
    (64) per voter and post. Two pairs sharing a hash within one workspace and one cooldown
    (about 1 in 10^9 for 200,000 of them) would share a churn allowance; nothing else."""

    __slots__ = ("asks", "churn", "in_flight", "votes")

    def __init__(self, settings: LimitsSettings) -> None:
        self.asks = SlidingWindow(limit=settings.asks_per_hour, window=timedelta(hours=1))
        self.votes = SlidingWindow(limit=settings.votes_per_minute, window=_MINUTE)
        # Changes by one person on one post: an add/remove/add storm stops moving the count.
        self.churn = SlidingWindow(
            limit=settings.vote_changes_per_post,
            window=timedelta(seconds=settings.vote_cooldown_seconds),
        )
        # The latest vote change started per person and post, while it is being written.
        self.in_flight: dict[int, tuple[str, object]] = {}

    def sweep(self, now: float) -> bool:
        """Sweep idle keys out of the windows that are due; True if nothing is left."""
        for window in (self.asks, self.votes, self.churn):
            window.sweep_if_due(now)
        return not (self.asks or self.votes or self.churn or self.in_flight)


class Limits:
    """The limits QAService applies; `settings` says how many, `clock` says when.

    A place is taken before the action's first await and given back if it changed nothing, so
    concurrent events (Discord dispatches each in its own task) cannot all pass one check.
    """

    def __init__(self, settings: LimitsSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._workspaces: dict[tuple[str, str], _Workspace] = {}
        # Once a minute every workspace's windows are swept, and workspaces with nothing left
        # are dropped: a workspace whose people stopped acting holds nothing for long.
        self._next_sweep: float | None = None

    def __len__(self) -> int:
        """How many workspaces have windows (tests: that idle ones are forgotten)."""
        return len(self._workspaces)

    def _workspace(self, user: UserRef, now: float) -> _Workspace:
        if self._next_sweep is None or now >= self._next_sweep:
            self._next_sweep = now + _MINUTE_S
            for idle_key, idle in list(self._workspaces.items()):
                if idle.sweep(now):
                    del self._workspaces[idle_key]
        key = (user.workspace.platform, user.workspace.workspace_id)
        space = self._workspaces.get(key)
        if space is None:
            space = self._workspaces[key] = _Workspace(self._settings)
        return space

    @contextmanager
    def asking(self, asker: UserRef) -> Iterator[Slot]:
        """Around storing a question: RateLimited when over; the place is kept on success."""
        now = self._clock().timestamp()
        asks, person = self._workspace(asker, now).asks, asker.user_id
        wait = asks.wait_for(person, now)
        if wait is not None:
            raise RateLimited(
                f"You have asked {asks.limit} questions in the last hour, the most "
                f"one person can; please wait {_wait_text(wait)} before asking again."
            )
        with self._taking(((asks, person),), now) as slot:
            yield slot
            slot.keep = True

    @contextmanager
    def voting(self, voter: UserRef, post: PostId, *, action: str) -> Iterator[Slot]:
        """Around a vote write: RateLimited when over; set `slot.keep` if the write changed a
        vote. `action` names the change (`+👍`): the same change delivered again while it is the
        latest being written is a redelivery, neither checked nor counted; +, -, + is a storm."""
        now = self._clock().timestamp()
        space, person = self._workspace(voter, now), voter.user_id
        on_post = hash((person, post.kind, post.number))
        in_flight = space.in_flight
        latest = in_flight.get(on_post)
        if latest is not None and latest[0] == action:
            yield Slot()  # the change being written right now, delivered again
            return
        churn, votes = space.churn, space.votes
        wait = churn.wait_for(on_post, now)
        if wait is not None:
            raise RateLimited(
                f"You changed your vote on {post} several times just now; it stays as it is. "
                f"Try again in {_wait_text(wait)}."
            )
        wait = votes.wait_for(person, now)
        if wait is not None:
            raise RateLimited(
                f"You have voted {votes.limit} times in the last minute, the most one "
                f"person can; please wait {_wait_text(wait)}."
            )
        token = (action, object())
        in_flight[on_post] = token
        try:
            with self._taking(((churn, on_post), (votes, person)), now) as slot:
                yield slot
        finally:
            if in_flight.get(on_post) is token:
                del in_flight[on_post]

    @staticmethod
    @contextmanager
    def _taking(places: tuple[tuple[SlidingWindow, Hashable], ...], now: float) -> Iterator[Slot]:
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
