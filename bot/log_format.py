"""How qabot's log lines look: plain text, or one JSON object per line for log shippers.

A JSON line holds `time` (ISO 8601, UTC), `level`, `logger`, `message`, and `platform`,
`workspace` and `event_id` when the code that logged was handling an event (`log_context`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = ["JsonFormatter", "log_context", "stderr_handler"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# These log every statement, request or gateway payload at DEBUG, with people's ids and names
# in it, anonymous askers' too: their records below INFO are never written.
_WIRE_LOGGERS = (
    "aiosqlite",
    "asyncpg",
    "slack_sdk",
    "slack_bolt",
    "discord.gateway",
    "discord.http",
)

_FIELDS = ("platform", "workspace", "event_id")
_context: ContextVar[dict[str, str] | None] = ContextVar("qabot_log_context", default=None)


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Label every line logged inside (and in tasks started inside) with these fields."""
    known = {key: value for key, value in fields.items() if key in _FIELDS and value}
    token = _context.set({**(_context.get() or {}), **known})
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(_context.get() or {}),
        }
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _NoWirePayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        return not any(
            record.name == name or record.name.startswith(f"{name}.") for name in _WIRE_LOGGERS
        )


def stderr_handler(*, json: bool) -> logging.Handler:
    """The operator's log stream: stderr, text or JSON, without the libraries' payload lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(_NoWirePayloads())
    return handler
