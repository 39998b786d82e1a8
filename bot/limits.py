"""Per-person limits on asking and voting, and the vote cooldown, on an injected clock.

Each limit is a sliding window: at most `limit` accepted actions per `window` for one key (a
person in a workspace, or a person on one post). An action takes its place before it runs and
keeps it only if it changed something, so a typo or a refused vote never uses up anyone's
allowance.
Where the windows live is the store's to say (`Store.shares_limits`). With SQLite, one process
serves the community and the windows live in its memory: a restart forgets them, which is
harmless (the defaults are far above what a community does by accident) and keeps every vote
write one statement. Votes keep one log per person (`VoteLog`) that both vote limits read,
because at a busy minute's tens of thousands of voters every extra table per person adds up.
With PostgreSQL, many processes may share the community, so the store keeps the windows and
applies them inside the write itself (an `AskCheck` or `VoteCheck` goes with it; `Refused`
comes back): the check, the write and the counting are one step, under a lock of the person's,
so the limits hold in total across every process and a write that changed nothing is not
counted. Only the redelivery of a change still being written is recognised in this process.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.domain import PostId, PostKind, UserRef
from bot.errors import RateLimited
from bot.ports import AskCheck, Clock, Refusal, Refused, VoteCheck
from bot.settings import LimitsSettings

__all__ = ["Limits", "SlidingWindow", "Slot", "VoteLog"]

# A key's times (seconds since the epoch): the one time itself, or a list once there are two or
# more. A float is half a datetime's size.
_Times = float | list[float]

_Key = TypeVar("_Key", bound=Hashable)
_Item = TypeVar("_Item", float, int)


def _add(table: dict[_Key, _Item | list[_Item]], key: _Key, item: _Item) -> None:
    """Add to a key's items: the item itself while it is the only one, a list from the second."""
    items = table.get(key)
    if items is None:
        table[key] = item
    elif isinstance(items, list):
        items.append(item)
    else:
        table[key] = [items, item]


def _take_back(table: dict[_Key, _Item | list[_Item]], key: _Key, item: _Item) -> None:
    """Remove one item added with `_add`, forgetting the key once it has none."""
    items = table.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        if items == item:
            del table[key]
    elif item in items:
        items.remove(item)
        if len(items) == 1:
            table[key] = items[0]
        elif not items:
            del table[key]


class SlidingWindow:
    """At most `limit` events per `window` for each key (asking: a key per person).

    A key with one event holds that time itself, and only a key with two or more holds a list
    (even an empty list is several times a float's size, a deque far more). Keys idle for a
    whole window are swept out at most once per window, so the table stays bounded by recent
    activity even for people who never come back.
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

    def record(self, key: Hashable, now: float) -> float:
        """Take a place for `key`; returns what `forget` needs to give it back."""
        if self.limit <= 0:
            return now
        _add(self._events, key, now)
        if self._swept is None:
            self._swept = now
        self.sweep_if_due(now)
        return now

    def forget(self, key: Hashable, at: float) -> None:
        """Give back an event recorded at `at` (the action changed nothing, or failed)."""
        _take_back(self._events, key, at)

    def sweep_if_due(self, now: float) -> None:
        """Sweep out idle keys if a whole window has passed since the last sweep."""
        if self._swept is None or now - self._swept < self._span:
            return
        self._swept = now
        cutoff = now - self._span
        idle = [
            key
            for key, times in self._events.items()
            if (times[-1] if isinstance(times, list) else times) <= cutoff
        ]
        for key in idle:
            del self._events[key]


# A vote change, packed into one int: the milliseconds since the log began, shifted left past
# a 24-bit tag of the post. Below 2**60 (26 months of milliseconds) the int stays one small
# object, smaller than a float and a second key together.
_TAG_BITS = 24
_TAG_MASK = (1 << _TAG_BITS) - 1
_Changes = int | list[int]


def _wait_within(times_ms: list[int], limit: int, span_ms: int, now_ms: int) -> timedelta | None:
    """How long until fewer than `limit` of these times (oldest first) are within the span."""
    recent = [t for t in times_ms if t > now_ms - span_ms]
    if len(recent) < limit:
        return None
    return timedelta(milliseconds=recent[len(recent) - limit] + span_ms - now_ms)


def _post_tag(post: PostId) -> int:
    """24 bits that tell apart the posts one person changed votes on within a few minutes:
    exact below post number 8,388,608 in a workspace, and after that two posts share a tag only
    if their numbers differ by a multiple of it."""
    return (post.number << 1 | (post.kind is PostKind.ANSWER)) & _TAG_MASK


class VoteLog:
    """Each person's accepted vote changes of the last minute (or cooldown, if longer): both
    vote limits read it, at most `per_minute` changes a minute and at most `per_post` changes
    on one post within `cooldown`.

    One table for both because the table is what costs memory: a busy minute holds an entry
    for every person who voted in it (tens of thousands in a busy community), and each table
    costs a dict slot and a key per person. A person with one change holds that change's int;
    only two or more make a list. People idle for the whole log are swept out at most once per
    span, so the table stays bounded by recent activity.
    """

    __slots__ = (
        "_changes",
        "_cooldown_ms",
        "_epoch",
        "_keep_ms",
        "_swept",
        "per_minute",
        "per_post",
    )

    def __init__(self, *, per_minute: int, per_post: int, cooldown: timedelta) -> None:
        self.per_minute = per_minute
        self.per_post = per_post
        self._cooldown_ms = int(cooldown.total_seconds() * 1000)
        self._keep_ms = max(60_000, self._cooldown_ms)
        self._changes: dict[str, _Changes] = {}
        self._epoch: float | None = None
        self._swept = 0

    def __len__(self) -> int:
        """How many people are remembered (tests: that idle ones are forgotten)."""
        return len(self._changes)

    def _ms(self, now: float) -> int:
        if self._epoch is None:
            self._epoch = now
        return int((now - self._epoch) * 1000)

    def _recent(self, person: str, changes: _Changes, now_ms: int) -> list[int]:
        """The person's changes still in the log, oldest first; forgets the older ones."""
        cutoff = now_ms - self._keep_ms
        if not isinstance(changes, list):
            if changes >> _TAG_BITS > cutoff:
                return [changes]
            del self._changes[person]
            return []
        stale = 0
        while stale < len(changes) and changes[stale] >> _TAG_BITS <= cutoff:
            stale += 1
        if stale:
            del changes[:stale]
            if not changes:
                del self._changes[person]
        return changes

    def waits(
        self, person: str, post: PostId, now: float
    ) -> tuple[timedelta | None, timedelta | None]:
        """How long until `person` may change their vote on `post` again, and until they may
        vote at all; None where they may now."""
        changes = self._changes.get(person)
        if changes is None:  # most voters of a busy minute: their first vote in it
            return None, None
        now_ms = self._ms(now)
        recent = self._recent(person, changes, now_ms)
        on_post_wait = minute_wait = None
        if self.per_post > 0:
            tag = _post_tag(post)
            on_post = [c >> _TAG_BITS for c in recent if c & _TAG_MASK == tag]
            on_post_wait = _wait_within(on_post, self.per_post, self._cooldown_ms, now_ms)
        if self.per_minute > 0:
            times = [c >> _TAG_BITS for c in recent]
            minute_wait = _wait_within(times, self.per_minute, 60_000, now_ms)
        return on_post_wait, minute_wait

    def record(self, person: str, post: PostId, now: float) -> int:
        """Log a change; returns what `forget` needs to give it back."""
        now_ms = self._ms(now)
        change = now_ms << _TAG_BITS | _post_tag(post)
        if self.per_minute <= 0 and self.per_post <= 0:
            return change
        _add(self._changes, person, change)
        self._sweep_if_due(now_ms)
        return change

    def forget(self, person: str, change: int) -> None:
        """Give back a change that changed nothing, or failed."""
        _take_back(self._changes, person, change)

    def sweep_if_due(self, now: float) -> None:
        """Sweep out people idle for the whole log if that long has passed since the last sweep."""
        self._sweep_if_due(self._ms(now))

    def _sweep_if_due(self, now_ms: int) -> None:
        if now_ms - self._swept < self._keep_ms:
            return
        self._swept = now_ms
        cutoff = now_ms - self._keep_ms
        idle = [
            person
            for person, changes in self._changes.items()
            if (changes[-1] if isinstance(changes, list) else changes) >> _TAG_BITS <= cutoff
        ]
        for person in idle:
            del self._changes[person]


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


_Check = TypeVar("_Check", AskCheck, VoteCheck)


@dataclass(slots=True)
class Slot(Generic[_Check]):
    """A place taken in the limits; given back on leaving unless `keep` is set. With a store
    that shares limits, `check` goes with the write instead (None: the write is not checked)."""

    keep: bool = False
    check: _Check | None = None


def _asks_refused(limit: int, wait: timedelta) -> RateLimited:
    return RateLimited(
        f"You have asked {limit} questions in the last hour, the most "
        f"one person can; please wait {_wait_text(wait)} before asking again.",
        limit="asks_per_hour",
    )


def _votes_refused(refusal: Refusal, post: PostId, per_minute: int) -> RateLimited:
    if refusal.limit == "vote_changes_per_post":
        return RateLimited(
            f"You changed your vote on {post} several times just now; it stays as it is. "
            f"Try again in {_wait_text(refusal.wait)}.",
            limit="vote_changes_per_post",
        )
    return RateLimited(
        f"You have voted {per_minute} times in the last minute, the most one "
        f"person can; please wait {_wait_text(refusal.wait)}.",
        limit="votes_per_minute",
    )


_MINUTE_S = 60.0


class _Workspace:
    """One workspace's limits, in tables of its own keyed by user id: no (platform, workspace,
    user) tuple per voter, as one table shared by every workspace would need."""

    __slots__ = ("asks", "in_flight", "votes")

    def __init__(self, settings: LimitsSettings) -> None:
        self.asks = SlidingWindow(limit=settings.asks_per_hour, window=timedelta(hours=1))
        self.votes = VoteLog(
            per_minute=settings.votes_per_minute,
            per_post=settings.vote_changes_per_post,
            cooldown=timedelta(seconds=settings.vote_cooldown_seconds),
        )
        # The latest vote change started per (person, post) hash, while it is being written.
        self.in_flight: dict[int, tuple[str, object]] = {}

    def sweep(self, now: float) -> bool:
        """Sweep idle people out of the tables that are due; True if nothing is left."""
        self.asks.sweep_if_due(now)
        self.votes.sweep_if_due(now)
        return not (self.asks or self.votes or self.in_flight)


class Limits:
    """The limits QAService applies; `settings` says how many, `clock` says when, `shared`
    whether the store applies them (see the module's docstring).

    A place is taken before the action's first await and given back if it changed nothing, so
    concurrent events (Discord dispatches each in its own task) cannot all pass one check.
    """

    def __init__(self, settings: LimitsSettings, clock: Clock, *, shared: bool = False) -> None:
        self._settings = settings
        self._clock = clock
        self._shared = shared
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
    def asking(self, asker: UserRef) -> Iterator[Slot[AskCheck]]:
        """Around storing a question: RateLimited when over; the place is kept on success."""
        if self._shared:
            yield from self._shared_asking()
            return
        now = self._clock().timestamp()
        asks, person = self._workspace(asker, now).asks, asker.user_id
        wait = asks.wait_for(person, now)
        if wait is not None:
            raise _asks_refused(asks.limit, wait)
        at = asks.record(person, now)
        slot: Slot[AskCheck] = Slot()
        try:
            yield slot
            slot.keep = True
        finally:
            if not slot.keep:
                asks.forget(person, at)

    def _shared_asking(self) -> Iterator[Slot[AskCheck]]:
        limit = self._settings.asks_per_hour
        slot: Slot[AskCheck] = Slot(check=AskCheck(limit, self._clock()) if limit > 0 else None)
        try:
            yield slot
        except Refused as refused:
            raise _asks_refused(limit, refused.refusal.wait) from None

    def _shared_voting(self, post: PostId, at: datetime) -> Iterator[Slot[VoteCheck]]:
        settings = self._settings
        per_minute, per_post = settings.votes_per_minute, settings.vote_changes_per_post
        check = None
        if per_minute > 0 or per_post > 0:
            cooldown = timedelta(seconds=settings.vote_cooldown_seconds)
            check = VoteCheck(per_minute, per_post, cooldown, at)
        try:
            yield Slot(check=check)
        except Refused as refused:
            raise _votes_refused(refused.refusal, post, per_minute) from None

    @contextmanager
    def voting(self, voter: UserRef, post: PostId, *, action: str) -> Iterator[Slot[VoteCheck]]:
        """Around a vote write: RateLimited when over; set `slot.keep` if the write changed a
        vote. `action` names the change (`+👍`): the same change delivered again while it is the
        latest being written is a redelivery, neither checked nor counted; +, -, + is a storm."""
        at = self._clock()
        now = at.timestamp()
        space, person = self._workspace(voter, now), voter.user_id
        on_post = hash((person, post.kind, post.number))
        in_flight = space.in_flight
        latest = in_flight.get(on_post)
        if latest is not None and latest[0] == action:
            yield Slot()  # the change being written right now, delivered again
            return
        token = (action, object())
        if self._shared:
            in_flight[on_post] = token
            try:
                yield from self._shared_voting(post, at)
            finally:
                if in_flight.get(on_post) is token:
                    del in_flight[on_post]
            return
        votes = space.votes
        on_post_wait, minute_wait = votes.waits(person, post, now)
        if on_post_wait is not None:
            raise _votes_refused(Refusal("vote_changes_per_post", on_post_wait), post, 0)
        if minute_wait is not None:
            raise _votes_refused(Refusal("votes_per_minute", minute_wait), post, votes.per_minute)
        in_flight[on_post] = token
        change = votes.record(person, post, now)
        slot: Slot[VoteCheck] = Slot()
        try:
            yield slot
        finally:
            if not slot.keep:
                votes.forget(person, change)
            if in_flight.get(on_post) is token:
                del in_flight[on_post]
