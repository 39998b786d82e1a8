"""The discord.py internals `adapters/discord/compat.py` relies on are still there, same shape.

Each check names the internal in its failure message, so an upgrade of discord.py that breaks one
says which, instead of the client failing somewhere downstream.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from adapters.discord.compat import (
    applied_tag_ids,
    endpoints,
    first_connection_failed,
    guard_parsers,
    point_at,
    silence_voice_warnings,
)


def _client() -> discord.Client:
    return discord.Client(intents=discord.Intents.none())


@pytest.fixture
def restored_endpoints() -> Iterator[None]:
    base, gateway = endpoints()
    yield
    point_at(api_base_url=base, gateway_url=gateway)


# ---------------------------------------------------------------- Route.BASE, DEFAULT_GATEWAY


def test_rest_calls_are_built_on_route_base(restored_endpoints: None) -> None:
    base = getattr(discord.http.Route, "BASE", None)
    assert isinstance(base, str), "discord.py discord.http.Route.BASE is gone or not a str"
    point_at(api_base_url="http://127.0.0.1:9/api/v10/", gateway_url="ws://127.0.0.1:9/")
    route = discord.http.Route("GET", "/users/@me")
    assert route.url == "http://127.0.0.1:9/api/v10/users/@me", (
        "discord.py discord.http.Route no longer builds its url on Route.BASE"
    )


def test_the_gateway_connects_to_default_gateway(restored_endpoints: None) -> None:
    socket = discord.gateway.DiscordWebSocket
    gateway = getattr(socket, "DEFAULT_GATEWAY", None)
    assert isinstance(gateway, yarl.URL), (
        "discord.py discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY is gone or not a yarl.URL"
    )
    assert "cls.DEFAULT_GATEWAY" in inspect.getsource(socket.from_client), (
        "discord.py DiscordWebSocket.from_client no longer falls back to DEFAULT_GATEWAY"
    )
    point_at(api_base_url="http://127.0.0.1:9/api/v10", gateway_url="ws://127.0.0.1:9/")
    assert endpoints() == ("http://127.0.0.1:9/api/v10", yarl.URL("ws://127.0.0.1:9/"))


# ---------------------------------------------------------------- Client._connection.parsers


def test_the_gateway_dispatches_through_the_connections_parsers() -> None:
    connection = getattr(_client(), "_connection", None)
    parsers = getattr(connection, "parsers", None)
    assert isinstance(parsers, dict), "discord.py Client._connection.parsers is gone or not a dict"
    assert callable(parsers.get("MESSAGE_REACTION_ADD")), (
        "discord.py Client._connection.parsers has no MESSAGE_REACTION_ADD parser"
    )
    assert "client._connection.parsers" in inspect.getsource(
        discord.gateway.DiscordWebSocket.from_client
    ), "discord.py's gateway no longer reads Client._connection.parsers when it connects"


def test_a_malformed_event_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    client = _client()
    guard_parsers(client)
    parse = client._connection.parsers["MESSAGE_REACTION_ADD"]
    with caplog.at_level(logging.WARNING, logger="qabot.discord"):
        parse({})  # no ids at all
    assert any("malformed MESSAGE_REACTION_ADD" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- VoiceClient.warn_*


@pytest.fixture
def voice_flags() -> Iterator[None]:
    saved = discord.VoiceClient.warn_nacl, discord.VoiceClient.warn_dave
    yield
    discord.VoiceClient.warn_nacl, discord.VoiceClient.warn_dave = saved


def _voice_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    with caplog.at_level(logging.WARNING, logger="discord.client"):
        caplog.clear()
        _client()
    return [
        r.getMessage() for r in caplog.records if "voice will NOT be supported" in r.getMessage()
    ]


def test_no_voice_warning_once_the_flags_are_cleared(
    voice_flags: None, caplog: pytest.LogCaptureFixture
) -> None:
    for flag in ("warn_nacl", "warn_dave"):
        assert isinstance(getattr(discord.VoiceClient, flag, None), bool), (
            f"discord.py VoiceClient.{flag} is gone or not a bool"
        )
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True
    assert len(_voice_warnings(caplog)) == 2, (
        "discord.py Client() no longer warns about voice while VoiceClient.warn_nacl and "
        "VoiceClient.warn_dave are set"
    )
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True
    silence_voice_warnings()
    assert _voice_warnings(caplog) == []


# ---------------------------------------------------------------- Client.ws


def test_a_client_that_never_connected_has_no_websocket() -> None:
    client = _client()
    assert getattr(client, "ws", "missing") is None, (
        "discord.py Client.ws is gone or not None before the first gateway connection"
    )
    assert first_connection_failed(client, AttributeError("sequence"))
    assert not first_connection_failed(client, ValueError("other"))


# ---------------------------------------------------------------- Thread._applied_tags


def test_thread_applied_tags_are_read_without_the_forum_in_cache() -> None:
    client = _client()
    state = client._connection
    guild = state._get_or_create_unavailable_guild(1)
    data: Any = {
        "id": "10", "guild_id": "1", "parent_id": "5", "owner_id": "7", "name": "t", "type": 11,
        "message_count": 0, "member_count": 1, "rate_limit_per_user": 0, "flags": 0,
        "last_message_id": None, "applied_tags": ["21", "22"], "thread_metadata": {
            "archived": False, "auto_archive_duration": 1440,
            "archive_timestamp": "2024-01-01T00:00:00+00:00", "locked": False,
        },
    }  # fmt: skip
    thread = discord.Thread(guild=guild, state=state, data=data)
    assert applied_tag_ids(thread) == [21, 22], "discord.Thread._applied_tags changed shape"
