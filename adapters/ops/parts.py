"""The values the ops endpoints are built from and what starting them returns; free of aiohttp
so the composition root can name them before the library is imported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.readiness import Readiness

__all__ = ["OpsParts", "OpsServer"]


@dataclass(frozen=True)
class OpsParts:
    """What the endpoints read: the adapters' states, a cheap store query, the metrics text."""

    readiness: Readiness
    store_check: Callable[[], Awaitable[object]]
    exposition: Callable[[], bytes]


@dataclass(frozen=True)
class OpsServer:
    """A started ops server: the port it bound and how to stop it."""

    port: int
    close: Callable[[], Awaitable[None]]
