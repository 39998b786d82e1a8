"""Gateway and REST payload builders for the fake Discord.

Shapes start from the recorded files in ``payloads/`` (copied from Discord's documentation) so the
fake sends what Discord sends; the builders only change ids and the fields a test cares about.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DISCORD_EPOCH_MS",
    "Snowflakes",
    "channel_payload",
    "load",
    "member_payload",
    "message_payload",
    "now_iso",
    "user_payload",
]

Json = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000
_DIR = Path(__file__).parent / "payloads"


@cache
def _raw(name: str) -> Json:
    data: Json = json.loads((_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def load(name: str) -> Json:
    """The ``d`` of a recorded gateway payload, as a fresh copy the caller may change."""
    return copy.deepcopy(_raw(name)["d"])


class Snowflakes:
    """Real-looking snowflakes: discord.py reads ``created_at`` from them, so keep the time bits."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._counter) & 0xFFF))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user_payload(user_id: str, name: str, *, bot: bool = False) -> Json:
    user = load("interaction_create")["member"]["user"]
    user.update(id=user_id, username=name, global_name=None if bot else name, bot=bot)
    return dict(user)


def member_payload(user: Json, *, roles: list[str] | None = None, permissions: int = 0) -> Json:
    member = load("interaction_create")["member"]
    member.update(user=user, roles=list(roles or []), permissions=str(permissions))
    return dict(member)


def channel_payload(
    channel_id: str, guild_id: str, name: str, *, kind: int = 0, parent_id: str | None = None
) -> Json:
    channel = load("guild_create")["channels"][0]
    channel.update(id=channel_id, guild_id=guild_id, name=name, type=kind, parent_id=parent_id)
    if kind == 15:
        channel["available_tags"] = []
    return dict(channel)


def message_payload(
    *,
    message_id: str,
    channel_id: str,
    guild_id: str,
    author: Json,
    content: str,
    body: Json | None = None,
) -> Json:
    message = load("message_create")
    body = body or {}
    message.update(
        id=message_id,
        channel_id=channel_id,
        guild_id=guild_id,
        author=author,
        content=content,
        timestamp=now_iso(),
        embeds=list(body.get("embeds") or []),
        components=list(body.get("components") or []),
        flags=int(body.get("flags") or 0),
        mentions=[],
    )
    return dict(message)
