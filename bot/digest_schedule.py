"""When a digest is due: pure functions of the settings and a UTC instant.

A schedule is a local wall-clock time (and a weekday, for weekly digests) in an IANA zone, so it
follows daylight-saving changes: 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal, Protocol, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import WorkspaceRef
from bot.errors import SettingsError

__all__ = [
    "DigestSchedule",
    "DigestTarget",
    "Weekday",
    "check_digest_settings",
    "digest_targets",
    "latest_due",
    "period_key",
]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class DigestSchedule(Protocol):
    """What a schedule needs of the [digest] settings (`bot.settings.DigestSettings`)."""

    @property
    def channels(self) -> tuple[str, ...]: ...
    @property
    def cadence(self) -> Literal["daily", "weekly"]: ...
    @property
    def weekday(self) -> Weekday: ...
    @property
    def time(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def size(self) -> int: ...


_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# A missed digest is still posted when the bot returns within this long; older ones never are.
GRACE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DigestTarget:
    workspace: WorkspaceRef
    channel_id: str


def check_digest_settings(digest: DigestSchedule) -> None:
    """Raise SettingsError naming the [digest] key that cannot work."""
    if _TIME.fullmatch(digest.time) is None:
        raise SettingsError(f"[digest] time must be HH:MM (24-hour), got {digest.time!r}")
    try:
        ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"[digest] timezone must be an IANA zone like 'Europe/Berlin', got {digest.timezone!r}"
        ) from None
    if digest.size < 1:
        raise SettingsError(f"[digest] size must be at least 1, got {digest.size}")
    digest_targets(digest)


def digest_targets(digest: DigestSchedule) -> list[DigestTarget]:
    targets = []
    for entry in digest.channels:
        platform, _, rest = entry.partition(":")
        workspace, _, channel = rest.partition(":")
        if not (platform and workspace and channel) or ":" in channel:
            raise SettingsError(
                f"[digest] channels entries look like 'slack:T0123:C0456', got {entry!r}"
            )
        targets.append(DigestTarget(WorkspaceRef(platform, workspace), channel))
    return targets


def latest_due(digest: DigestSchedule, now: datetime) -> datetime | None:
    """The latest scheduled instant at or before `now` (UTC), within the last eight days."""
    zone = ZoneInfo(digest.timezone)
    hour, minute = (int(part) for part in digest.time.split(":"))
    today = now.astimezone(zone).date()
    weekday = get_args(Weekday).index(digest.weekday)
    for back in range(8):
        day = today - timedelta(days=back)
        if digest.cadence == "weekly" and day.weekday() != weekday:
            continue
        # A wall-clock time skipped by a DST jump resolves to the instant after the gap.
        due = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if due <= now:
            return due
    return None


def period_key(due: datetime) -> str:
    """The claim period of one scheduled digest: its local date and time, e.g. 2026-03-30T09:00."""
    return due.strftime("%Y-%m-%dT%H:%M")
