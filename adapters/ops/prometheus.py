"""`bot.metrics.Metrics` in Prometheus: the `qabot_*` series and the standard `process_*` ones,
in a registry of their own (so several in one process never clash)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from bot.metrics import VoteOutcomeName, VoteReason

__all__ = ["PrometheusMetrics"]

_BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


class PrometheusMetrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        self._events = Counter(
            "qabot_events", "Events delivered to qabot's handlers, ignored ones included.",
            ["platform", "kind"], registry=registry,
        )  # fmt: skip
        self._votes = Counter(
            "qabot_votes", "Reactions handled as votes: counted, or ignored and why.",
            ["platform", "outcome", "reason"], registry=registry,
        )  # fmt: skip
        self._commands = Histogram(
            "qabot_command_seconds", "Time to answer a command.",
            ["platform", "command"], registry=registry,
        )  # fmt: skip
        self._batch_size = Histogram(
            "qabot_store_batch_size", "Operations per store write transaction.",
            buckets=_BATCH_SIZES, registry=registry,
        )  # fmt: skip
        self._commit_seconds = Histogram(
            "qabot_store_commit_seconds", "Time to commit one store write transaction.",
            registry=registry,
        )  # fmt: skip
        self._catchup = Counter(
            "qabot_catchup_posts", "Posts compared with the platform by catch-up.",
            registry=registry,
        )  # fmt: skip
        # Counted by `qabot import`, which serves its own /metrics while it runs.
        self._imported = Counter(
            "qabot_import_messages", "Messages an import wrote as questions and answers.",
            registry=registry,
        )  # fmt: skip
        self._limited = Counter(
            "qabot_rate_limited", "Actions refused by an abuse limit.", ["limit"],
            registry=registry,
        )  # fmt: skip
        self._errors = Counter(
            "qabot_errors", "Failures reported to a person or the operator.", ["type"],
            registry=registry,
        )  # fmt: skip

    def exposition(self) -> bytes:
        """Every series, in the Prometheus text format."""
        return generate_latest(self.registry)

    def event(self, platform: str, kind: str) -> None:
        self._events.labels(platform, kind).inc()

    def vote(self, platform: str, outcome: VoteOutcomeName, reason: VoteReason = "") -> None:
        self._votes.labels(platform, outcome, reason).inc()

    def command(self, platform: str, command: str, seconds: float) -> None:
        self._commands.labels(platform, command).observe(seconds)

    def store_batch(self, size: int, seconds: float) -> None:
        self._batch_size.observe(size)
        self._commit_seconds.observe(seconds)

    def catchup_posts(self, count: int) -> None:
        self._catchup.inc(count)

    def import_messages(self, count: int) -> None:
        self._imported.inc(count)

    def rate_limited(self, limit: str) -> None:
        self._limited.labels(limit).inc()

    def error(self, kind: str) -> None:
        self._errors.labels(kind).inc()
