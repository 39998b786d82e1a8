"""Every use of discord.py's private or undocumented internals, in one place.

Each function here says which internal it relies on and why no public API does the job;
`tests/adapters/discord/test_compat.py` fails, naming the internal, when an installed release no
longer has it or changed its shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

__all__ = [
    "applied_tag_ids",
    "endpoints",
    "first_connection_failed",
    "guard_parsers",
    "point_at",
    "silence_voice_warnings",
]

log = logging.getLogger("qabot.discord")

Parser = Callable[[Any], None]


def point_at(*, api_base_url: str, gateway_url: str | yarl.URL) -> None:
    """Point discord.py at another REST and gateway endpoint (a fake in tests, a proxy elsewhere).

    discord.py has no option for these: the REST base is the undocumented class attribute
    `discord.http.Route.BASE` and the gateway the undocumented class attribute
    `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`, so this is process-wide.
    """
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def endpoints() -> tuple[str, yarl.URL]:
    """The REST base and gateway URL discord.py uses now (see `point_at`)."""
    return discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def guard_parsers(client: discord.Client) -> None:
    """Make a malformed gateway payload one log line instead of a dead connection.

    discord.py calls each event's parser without a guard, so a payload missing a field (a
    truncated or buggy dispatch) raises out of the gateway loop and stops the client. No public
    hook runs before the parsers (`on_error` covers only event handlers): they live in the dict
    `client._connection.parsers` (the private connection state), which the gateway reads at
    dispatch time, so each is wrapped once, in place.
    """
    parsers: dict[str, Parser] = client._connection.parsers
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Parser) -> Parser:
    def parse_or_log(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            log.warning("ignored a malformed %s event: %r", event, error)

    return parse_or_log


def silence_voice_warnings() -> None:
    """Keep discord.py from warning, on every start, that voice libraries are missing.

    qabot has no voice. `discord.Client()` logs the warnings once per process while the
    undocumented class flags `VoiceClient.warn_nacl` and `VoiceClient.warn_dave` are true; there
    is no option to skip them, so the flags are cleared first.
    """
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False


def first_connection_failed(client: discord.Client, error: BaseException) -> bool:
    """Whether `error` is discord.py giving up on a gateway it never reached.

    When a connection fails, `Client.connect` retries by resuming from `self.ws.sequence`; when
    the very first one failed, `ws` is still None, and the retry raises AttributeError instead.
    No public API tells whether a gateway connection was ever made, so the undocumented
    attribute `Client.ws` is read: None means never.
    """
    return isinstance(error, AttributeError) and getattr(client, "ws", None) is None


def applied_tag_ids(thread: discord.Thread) -> list[int]:
    """The ids of the forum tags applied to a thread, whether or not its forum is cached.

    The public `Thread.applied_tags` looks the forum up in the guild's cache, which only a
    gateway connection fills; `qabot import` reads over REST alone, so it reads the ids discord.py
    keeps from the thread's payload in the undocumented attribute `Thread._applied_tags` and names
    them with the forum it fetched itself.
    """
    return [int(tag_id) for tag_id in thread._applied_tags]
