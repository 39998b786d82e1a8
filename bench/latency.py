"""Latency: `/top` through the service, and the percentiles every latency metric reports.

The Slack acknowledgement's latency and capacity are measured in bench.ack_capacity.
"""

from __future__ import annotations

import statistics
import time

from bench.dataset import Shape
from bot.domain import TopQuery, Window, WorkspaceRef
from bot.service import QAService

__all__ = ["percentile", "summary", "top_latencies"]

_WARM_UP = 10  # untimed /top calls before the timed ones


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def top_latencies(
    service: QAService, workspace: WorkspaceRef, shape: Shape, n: int
) -> list[float]:
    query = TopQuery(channel_id=shape.hottest_channel, window=Window.WEEK)
    # Steady state, as a bot answering /top all day serves it: the first calls after the ingest
    # and the recount prepare statements on fresh connections and read pages the recount pushed
    # out of the caches.
    for _ in range(_WARM_UP):
        await service.top(workspace=workspace, query=query)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        ranked = await service.top(workspace=workspace, query=query)
        samples.append((time.perf_counter() - started) * 1000)
        assert ranked, "the hottest channel has answers this week"
    return samples


def summary(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms"
