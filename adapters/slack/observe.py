"""A bolt global middleware that counts every request Slack delivers, by kind, before any
listener decides whether it matters (`qabot_events_total{platform="slack"}`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.metrics import Metrics

__all__ = ["ObserveEvents", "event_kind"]


def event_kind(body: dict[str, Any]) -> str:
    """`reaction_added`, `message`, `command`, `block_actions`, `view_submission`, ..."""
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("type"), str):
        return str(event["type"])
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) else "other"


class ObserveEvents(AsyncMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt's name for it
    ) -> BoltResponse:
        self._metrics.event("slack", event_kind(req.body))
        return await next()
