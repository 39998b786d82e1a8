"""Pure voting and ranking rules: no I/O, no clock of their own."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from bot.domain import Window
from bot.emoji_keys import normalize_emoji

__all__ = [
    "DEFAULT_WEIGHTS",
    "net_vote",
    "wilson_lower_bound",
    "window_start",
]

# Keys are normalised emoji (see emoji_keys): thumbs and arrows, up and down.
DEFAULT_WEIGHTS: Mapping[str, int] = {"👍": 1, "⬆": 1, "👎": -1, "⬇": -1}

_Z_95 = 1.959963984540054  # two-sided 95% normal quantile

_WINDOW_LENGTH: Mapping[Window, timedelta] = {
    Window.DAY: timedelta(days=1),
    Window.WEEK: timedelta(days=7),
    Window.MONTH: timedelta(days=30),
    Window.YEAR: timedelta(days=365),
}


def wilson_lower_bound(ups: int, downs: int) -> float:
    """Lower bound of the 95% Wilson interval for the share of up-votes (0 with no votes).

    It ranks 10 up / 1 down above 1 up / 0 down: the evidence counts, not only the ratio.
    """
    total = ups + downs
    if total <= 0 or ups <= 0:
        # Exactly 0 without up-votes; the formula would leave float noise (±1e-17) that ranked
        # three down-votes above none.
        return 0.0
    share = ups / total
    z2 = _Z_95 * _Z_95
    centre = share + z2 / (2 * total)
    spread = _Z_95 * math.sqrt((share * (1 - share) + z2 / (4 * total)) / total)
    return (centre - spread) / (1 + z2 / total)


def net_vote(weights: Iterable[int]) -> int:
    """One person's vote on one post: the sign of their mapped reactions (-1, 0 or +1)."""
    total = sum(weights)
    return (total > 0) - (total < 0)


def window_start(window: Window, now: datetime) -> datetime | None:
    """The earliest creation time a window includes, or None for `all`."""
    length = _WINDOW_LENGTH.get(window)
    return None if length is None else now - length


def normalize_weights(raw: Mapping[str, int]) -> dict[str, int]:
    """Settings may name emoji in any form; votes look them up by normalised key."""
    weights: dict[str, int] = {}
    for name, weight in raw.items():
        key = normalize_emoji(name)
        if not key:
            raise ValueError(f"{name!r} is not an emoji")
        if weight not in (-1, 1):
            raise ValueError(f"the weight of {name!r} must be 1 or -1, got {weight!r}")
        weights[key] = weight
    return weights
