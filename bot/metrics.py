"""What a running qabot counts, as a port: the core and the adapters report, the composition
root decides where it goes (Prometheus with `[ops]` enabled, nowhere otherwise). `qabot run`
and `qabot import` each count their own work: an import reports in its own process.

Vote outcomes are "counted" or "ignored"; an ignored vote's reason is one of `VOTE_REASONS`.
"""

from __future__ import annotations

from typing import Literal, Protocol

__all__ = ["VOTE_REASONS", "Metrics", "NoMetrics", "VoteOutcomeName", "VoteReason"]

VoteOutcomeName = Literal["counted", "ignored"]
VoteReason = Literal["", "self", "bot", "unmapped", "limit", "duplicate"]
VOTE_REASONS: tuple[VoteReason, ...] = ("self", "bot", "unmapped", "limit", "duplicate")


class Metrics(Protocol):
    def event(self, platform: str, kind: str) -> None:
        """One event delivered to qabot's handlers, ignored ones included."""

    def vote(self, platform: str, outcome: VoteOutcomeName, reason: VoteReason = "") -> None:
        """One reaction handled as a vote: counted, or ignored for `reason`."""

    def command(self, platform: str, command: str, seconds: float) -> None:
        """One command (`/ask`, `/top`, `/qa`) answered in `seconds`."""

    def store_batch(self, size: int, seconds: float) -> None:
        """One write transaction of `size` operations, committed in `seconds`."""

    def catchup_posts(self, count: int) -> None:
        """Posts compared with the platform by catch-up."""

    def import_messages(self, count: int) -> None:
        """Messages an import wrote to the store as questions and answers (committed)."""

    def rate_limited(self, limit: str) -> None:
        """One action refused by an abuse limit (`votes_per_minute`, ...)."""

    def error(self, kind: str) -> None:
        """One failure a person or the operator was told about, by its type name."""


class NoMetrics:
    """Counts nothing: the default when no monitoring is configured."""

    def event(self, platform: str, kind: str) -> None:
        pass

    def vote(self, platform: str, outcome: VoteOutcomeName, reason: VoteReason = "") -> None:
        pass

    def command(self, platform: str, command: str, seconds: float) -> None:
        pass

    def store_batch(self, size: int, seconds: float) -> None:
        pass

    def catchup_posts(self, count: int) -> None:
        pass

    def import_messages(self, count: int) -> None:
        pass

    def rate_limited(self, limit: str) -> None:
        pass

    def error(self, kind: str) -> None:
        pass
