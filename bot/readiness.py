"""Whether each part of a running qabot can do its work: the value `/readyz` reports.

Each adapter names its part ("slack", "discord") when it starts and says "ok" once it is
connected, or why not ("connecting", "disconnected") when it is not. The store's part is asked
at the moment of the request, by whoever serves it.
"""

from __future__ import annotations

__all__ = ["READY", "Readiness"]

READY = "ok"


class Readiness:
    """Each part's state: "ok" or the reason it is not ready."""

    def __init__(self) -> None:
        self._parts: dict[str, str] = {}

    def set(self, part: str, state: str) -> None:
        self._parts[part] = state

    def parts(self) -> dict[str, str]:
        """A copy of every part's state, in the order the parts were first named."""
        return dict(self._parts)
