"""`qabot doctor`: each check's verdict as one line, `ok` or `FAIL` with what to do.

The checks that need a platform or a store live beside them (`adapters/*/doctor.py`,
`storage.opener.pending_migrations`); here are the verdict, its line, and the port check.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.errors import SettingsError
from bot.settings import Settings

__all__ = ["Check", "check_ports", "check_store", "listeners", "render", "report"]


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str  # "store", "slack token", "digest channel slack:T1:C2", ...
    detail: str  # what was found; on a failure, what to do about it


def render(check: Check) -> str:
    return f"{'ok  ' if check.ok else 'FAIL'}  {check.what}: {check.detail}"


def report(checks: Sequence[Check]) -> int:
    """Print each check's line; 1 if any failed, else 0."""
    for check in checks:
        print(render(check))
    return 0 if all(check.ok for check in checks) else 1


async def check_store(shown: str, pending: Callable[[], Awaitable[list[str]]]) -> Check:
    """The store at `shown` answers; its `pending` migrations are applied at start."""
    try:
        waiting = await pending()
    except SettingsError as error:
        return Check(False, "store", str(error))
    if waiting:
        detail = f"{shown} answers; {len(waiting)} migrations will be applied at start"
        return Check(True, "store", f"{detail} (or now with qabot migrate)")
    return Check(True, "store", f"{shown} answers and is up to date")


def listeners(settings: Settings) -> list[tuple[str, str, int]]:
    """The (section, host, port) of each enabled server: `[web]` and `[ops]`."""
    web, ops = settings.web, settings.ops
    servers = [("web", web.host, web.port, web.enabled), ("ops", ops.host, ops.port, ops.enabled)]
    return [(name, host, port) for name, host, port, enabled in servers if enabled]


def check_ports(listeners: Iterable[tuple[str, str, int]]) -> list[Check]:
    """Each enabled (section, host, port) can be listened on; sections on one address share
    one server, so one line."""
    by_address: dict[tuple[str, int], list[str]] = {}
    for section, host, port in listeners:
        by_address.setdefault((host, port), []).append(f"[{section}]")
    return [
        _check_port(" and ".join(names), host, port) for (host, port), names in by_address.items()
    ]


def _check_port(sections: str, host: str, port: int) -> Check:
    what = f"{sections} port"
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as error:
        return Check(
            False, what, f"cannot listen on {host}:{port} ({error.strerror}): stop what uses it "
            f"or change {sections} port",
        )  # fmt: skip
    return Check(True, what, f"{host}:{port} is free")
