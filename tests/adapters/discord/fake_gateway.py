"""The fake Discord's gateway: sessions, IDENTIFY and RESUME, and routing dispatches by shard.

A connection that identifies as shard [i, n] gets a session of its own, sent only the guilds and
events of shard i (a guild's shard is ``(guild_id >> 22) % n``, as on Discord); one without a
``shard`` gets everything. A session keeps what it was sent, for RESUME's replay after a drop.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .fake_discord import FakeDiscord

__all__ = ["MESSAGE_CONTENT_INTENT", "Connection", "GatewayMixin", "Session"]

Json = dict[str, Any]
MESSAGE_CONTENT_INTENT = 1 << 15  # the privileged intent's bit in IDENTIFY's `intents`


@dataclass
class Connection:
    """One gateway websocket, with its own zlib stream."""

    ws: web.WebSocketResponse
    compressor: Any = field(default_factory=zlib.compressobj)


@dataclass
class Session:
    """A gateway session: what it was sent (for RESUME's replay) and its connection, if up."""

    session_id: str
    shard: tuple[int, int] | None  # [shard_id, num_shards] from IDENTIFY, None without sharding
    connection: Connection | None = None
    history: list[Json] = field(default_factory=list)

    def serves(self, guild_id: str | None) -> bool:
        """Discord's routing: a guild's events go to shard (guild_id >> 22) % num_shards; events
        of no guild to shard 0."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else (int(guild_id) >> 22) % count)


class GatewayMixin:
    """Mixed into FakeDiscord; ``self`` is the fake."""

    async def wait_connected(self: FakeDiscord, *, within: float = 5) -> None:
        await asyncio.wait_for(self._connected.wait(), within)

    async def _gateway(self: FakeDiscord, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        assert request.query.get("compress") == "zlib-stream", request.query
        connection = Connection(ws)
        await self._send(
            connection, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        )
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            await self._on_op(connection, json.loads(msg.data))
        for session in self._sessions:
            if session.connection is connection:
                session.connection = None
        if not self._live():
            self._connected.clear()
        return ws

    def _live(self: FakeDiscord) -> list[Session]:
        return [s for s in self._sessions if s.connection is not None]

    async def _send(self: FakeDiscord, connection: Connection, payload: Json) -> None:
        # One compressor per connection, Z_SYNC_FLUSH per frame: discord.py waits for 00 00 ff ff.
        data = connection.compressor.compress(json.dumps(payload).encode())
        await connection.ws.send_bytes(data + connection.compressor.flush(zlib.Z_SYNC_FLUSH))

    async def _on_op(self: FakeDiscord, connection: Connection, msg: Json) -> None:
        op, data = msg["op"], msg.get("d")
        self.gateway_ops.append(op)
        if op == 1:
            await self._send(connection, {"op": 11})
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)

    async def _identify(self: FakeDiscord, connection: Connection, data: Json) -> None:
        ws = connection.ws
        if data["token"] != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & MESSAGE_CONTENT_INTENT and not self.message_content_allowed:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        self.identified_shards.append(shard)
        if (shard[1] if shard else 1) < self.shards_required:
            await ws.close(code=4011, message=b"Sharding required.")
            return
        self.identified_intents = intents
        key = None if shard is None else (int(shard[0]), int(shard[1]))
        # A new session for a shard replaces the one it had.
        self._sessions = [s for s in self._sessions if s.shard != key]
        session = Session(f"fake-session-{self.ids.next()}", key, connection)
        self._sessions.append(session)
        guilds = [g for g in self.guild_ids if session.serves(g)]
        ready = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": guild_id, "unavailable": True} for guild_id in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": str(self.gateway_url),
            "application": {"id": self.application_id, "flags": 0},
            **({"shard": list(key)} if key is not None else {}),
        }
        self._connected.set()
        await self._push(session, "READY", ready)
        for guild_id in guilds:
            await self._push(session, "GUILD_CREATE", self.guild_create(guild_id))

    async def _resume(self: FakeDiscord, connection: Connection, data: Json) -> None:
        session = next((s for s in self._sessions if s.session_id == data["session_id"]), None)
        if session is None or data["token"] != self.token:
            await self._send(connection, {"op": 9, "d": False})
            return
        for event in session.history:
            if event["s"] > (data["seq"] or 0):
                await self._send(connection, event)
        session.connection = connection
        self._connected.set()
        await self._send(connection, {"op": 0, "t": "RESUMED", "s": None, "d": {}})

    async def _push(self: FakeDiscord, session: Session, event: str, data: Json) -> None:
        payload = {"op": 0, "t": event, "s": len(session.history) + 1, "d": data}
        session.history.append(payload)
        connection = session.connection
        if connection is not None and not connection.ws.closed:
            await self._send(connection, payload)

    async def dispatch(self: FakeDiscord, event: str, data: Json) -> None:
        """Send a dispatch to the session of its guild's shard; while the bot is away it waits
        in that session's history for RESUME's replay."""
        whole_guild = event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")
        guild_id = data.get("id") if whole_guild else data.get("guild_id")
        for session in list(self._sessions):
            if session.serves(None if guild_id is None else str(guild_id)):
                await self._push(session, event, data)

    async def drop(self: FakeDiscord, *, shard: tuple[int, int] | None = None) -> None:
        """Drop every connection, or one shard's, as Discord does on restarts: a close code that
        allows RESUME."""
        dropped = [s for s in self._live() if shard is None or s.shard == shard]
        if len(dropped) == len(self._live()):
            self._connected.clear()
        for session in dropped:
            connection, session.connection = session.connection, None
            assert connection is not None
            await connection.ws.close(code=4000, message=b"Unknown error")

    async def reconnect_request(self: FakeDiscord) -> None:
        """Op 7 on every connection: Discord asks the client to reconnect and resume."""
        self._connected.clear()
        for session in self._live():
            connection, session.connection = session.connection, None
            assert connection is not None
            await self._send(connection, {"op": 7, "d": None})
