"""A fake Discord for the real discord.py client: gateway websocket and REST API on 127.0.0.1:0.

Tests drive it like Discord would: ``user_message``/``react``/``slash``... dispatch gateway events
to the connected bot, and every REST call the bot makes is recorded in ``calls``. It keeps enough
state (guilds, channels, messages, reactions, interactions) to answer the bot the way Discord does,
including the rules that bite in production: the 3-second interaction deadline, blank message text
without the Message Content intent, 429s with ``Via``/``Retry-After``, RESUME with replay after
a dropped connection, and shards: a connection that identifies as shard [i, n] is sent only the
guilds and events of shard i, as Discord routes them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import yarl
from aiohttp import web

from tests.adapters.held import Held

from .fake_events import EventsMixin
from .fake_gateway import MESSAGE_CONTENT_INTENT, GatewayMixin, Session
from .fake_routes import ROUTES
from .payloads import (
    Snowflakes,
    channel_payload,
    load,
    member_payload,
    message_payload,
    user_payload,
)

__all__ = ["MESSAGE_CONTENT_INTENT", "FakeDiscord", "RecordedCall", "Thrower"]

Json = dict[str, Any]
EPHEMERAL = 64
TOKEN = "fake-bot-token"


@dataclass(frozen=True)
class RecordedCall:
    method: str
    path: str  # without the /api/v10 prefix, e.g. "/channels/1/messages"
    body: Any
    query: dict[str, str]
    status: int


@dataclass
class _RateLimit:
    method: str
    pattern: re.Pattern[str]
    times: int
    retry_after: float


@dataclass
class _Interaction:
    payload: Json
    created: float
    responded: bool = False
    original: Json | None = None


@dataclass
class Thrower:
    """A test-made failure of one route: (method, path regex) -> status and error body."""

    method: str
    pattern: str
    status: int
    body: Json = field(default_factory=dict)


Handler = Callable[[web.Request, Any, "re.Match[str]"], Awaitable[web.Response]]


class FakeDiscord(EventsMixin, GatewayMixin):
    def __init__(
        self,
        *,
        message_content_allowed: bool = True,
        interaction_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.ids = Snowflakes()
        self.token = TOKEN
        self.message_content_allowed = message_content_allowed  # the portal's switch
        self.interaction_deadline = interaction_deadline
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.bot = user_payload(self.ids.next(), "qabot", bot=True)
        self.application_id = self.bot["id"]
        self.guild_id = self.ids.next()
        self.guild_ids: list[str] = [self.guild_id]  # every guild the bot is in
        # Below this many shards, IDENTIFY is closed with 4011 (Sharding required), as Discord
        # does for a bot in 2,500 guilds or more; GET /gateway/bot recommends it.
        self.shards_required = 1
        self.identified_shards: list[list[int] | None] = []  # each IDENTIFY's `shard`, in order
        self.calls: list[RecordedCall] = []
        self.gateway_ops: list[int] = []  # every op the bot sent, in order
        self.identified_intents: int | None = None
        self.members: dict[str, Json] = {}
        self.roles: list[Json] = []
        # The bot's permissions in the channel of an interaction, as Discord computes them.
        self.app_permissions = int(load("interaction_create")["app_permissions"])
        self.channels: dict[str, Json] = {}
        self.messages: dict[str, Json] = {}
        self.reactions: dict[tuple[str, str], list[str]] = {}  # (message, emoji key) -> user ids
        self.query: dict[str, str] = {}  # the query string of the request being routed
        self.holds: list[tuple[str, str, Held]] = []  # (method, path pattern, its answer)
        self.interactions: dict[str, _Interaction] = {}
        self.throwers: list[Thrower] = []
        self._rate_limits: list[_RateLimit] = []
        self._sessions: list[Session] = []
        self._connected = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base = ""
        self.owner = self.add_member("owner", permissions=1 << 3)  # administrator
        self.general = self.add_channel("general")

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        for session in self._sessions:
            if session.connection is not None:
                await session.connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"{self.base.replace('http', 'ws', 1)}/gateway")

    # ----------------------------------------------------------------- world state
    def add_member(
        self, name: str, *, roles: list[str] | None = None, permissions: int = 0, bot: bool = False
    ) -> Json:
        user = user_payload(self.ids.next(), name, bot=bot)
        self.members[user["id"]] = member_payload(user, roles=roles, permissions=permissions)
        return user

    def add_role(self, name: str) -> str:
        """A server role; add it before the bot starts (GUILD_CREATE carries the roles)."""
        role = {**load("guild_create")["roles"][0], "id": self.ids.next(), "name": name}
        role["permissions"] = "0"
        self.roles.append(role)
        return str(role["id"])

    def add_guild(self, *, shard: tuple[int, int] | None = None) -> str:
        """Another guild the bot is in; with ``shard=(i, n)``, one whose events go to shard i."""
        guild_id = self.ids.next()
        if shard is not None:
            shard_id, count = shard
            stamp = int(guild_id) >> 22
            stamp -= (stamp - shard_id) % count  # the timestamp bits decide the shard
            guild_id = str((stamp << 22) | (int(guild_id) & ((1 << 22) - 1)))
        self.guild_ids.append(guild_id)
        return guild_id

    def add_channel(
        self,
        name: str,
        *,
        kind: int = 0,
        tags: list[str] | None = None,
        guild_id: str | None = None,
    ) -> Json:
        channel = channel_payload(self.ids.next(), guild_id or self.guild_id, name, kind=kind)
        if kind == 15:
            channel["available_tags"] = [
                {
                    "id": self.ids.next(),
                    "name": t,
                    "moderated": False,
                    "emoji_id": None,
                    "emoji_name": None,
                }
                for t in tags or []
            ]
        self.channels[channel["id"]] = channel
        return channel

    def guild_create(self, guild_id: str | None = None) -> Json:
        guild_id = guild_id or self.guild_id
        channels = [c for c in self.channels.values() if c["guild_id"] == guild_id]
        guild = load("guild_create")
        everyone = {**guild["roles"][0], "id": guild_id, "permissions": "0"}
        me = member_payload(self.bot)
        guild.update(
            id=guild_id,
            owner_id=self.owner["id"],
            roles=[everyone, *self.roles],
            members=[me, *self.members.values()],
            member_count=len(self.members) + 1,
            channels=[c for c in channels if c["type"] != 11],
            threads=[c for c in channels if c["type"] == 11],
        )
        for m in guild["members"]:
            m.pop("permissions", None)
        return guild

    def bot_calls(self, method: str, pattern: str) -> list[RecordedCall]:
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path)]

    async def wait_for_call(
        self, method: str, pattern: str, *, count: int = 1, within: float = 5
    ) -> RecordedCall:
        """Wait until the bot made ``count`` matching calls; return the ``count``-th."""

        async def enough() -> list[RecordedCall]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.bot_calls(method, pattern)) >= count)
            return self.bot_calls(method, pattern)

        return (await asyncio.wait_for(enough(), within))[count - 1]

    def rate_limit(
        self, method: str, pattern: str, *, times: int = 1, retry_after: float = 0.05
    ) -> None:
        self._rate_limits.append(_RateLimit(method, re.compile(pattern), times, retry_after))

    # ----------------------------------------------------------------- REST plumbing
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await self._body(request)
        auth = request.headers.get("Authorization", "")
        if path.startswith(("/interactions/", "/webhooks/")):
            auth = f"Bot {self.token}"  # the interaction token in the path authorises these
        # Read by the routes that page (reaction users, history) before they first await.
        self.query = dict(request.query)
        status, payload, headers = await self._route(request.method, path, body, auth)
        self.calls.append(RecordedCall(request.method, path, body, dict(request.query), status))
        async with self._changed:
            self._changed.notify_all()
        if status == 204:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json": discord.py compares it, so "; charset=utf-8" reads as text.
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **headers},
        )

    async def _body(self, request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(str(raw)) if raw is not None else None
        text = await request.text()
        return json.loads(text) if text else None

    async def _route(
        self, method: str, path: str, body: Any, auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        for limit in self._rate_limits:
            if limit.times > 0 and limit.method == method and limit.pattern.fullmatch(path):
                limit.times -= 1
                return self._too_many(limit.retry_after)
        for thrower in self.throwers:
            if thrower.method == method and re.fullmatch(thrower.pattern, path):
                return thrower.status, thrower.body, {}
        if auth != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for route_method, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                answer = await handler(self, body, match)
                for hold in list(self.holds):
                    held_method, held_pattern, held = hold
                    if held_method == method and re.fullmatch(held_pattern, path):
                        self.holds.remove(hold)
                        await held.wait()  # the answer was read before the hold: send it now
                return answer
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def hold(self, method: str, pattern: str) -> Held:
        """Hold the next answer of one route: read now, sent when the test releases it."""
        held = Held()
        self.holds.append((method, pattern, held))
        return held

    @staticmethod
    def _too_many(retry_after: float) -> tuple[int, Json, dict[str, str]]:
        headers = {
            "Via": "1.1 google",  # discord.py retries a 429 only if it came through Discord's proxy
            "Retry-After": f"{retry_after}",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{retry_after}",
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "user",
        }
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        return 429, body, headers

    # ----------------------------------------------------------------- message helpers
    def visible(self, message: Json) -> Json:
        """What the bot receives: others' text is blank unless the bot has Message Content."""
        intents = self.identified_intents or 0
        if self.identified_intents is None and self.message_content_allowed:
            intents = MESSAGE_CONTENT_INTENT  # REST alone: the portal's switch decides
        if intents & MESSAGE_CONTENT_INTENT or message["author"]["id"] == self.bot["id"]:
            return message
        if any(m.get("id") == self.bot["id"] for m in message.get("mentions", [])):
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    def new_message(
        self, channel_id: str, author: Json, content: str, body: Json | None = None
    ) -> Json:
        if channel_id not in self.channels:
            raise KeyError(channel_id)
        message = message_payload(
            message_id=self.ids.next(),
            channel_id=channel_id,
            guild_id=self.channels[channel_id]["guild_id"],
            author=author,
            content=content,
            body=body,
        )
        self.messages[message["id"]] = message
        return message

    def member_of(self, user_id: str) -> Json:
        member = (
            dict(self.members[user_id]) if user_id in self.members else member_payload(self.bot)
        )
        member.pop("permissions", None)
        return member

    def interaction_expired(self, interaction_id: str) -> bool:
        inter = self.interactions.get(interaction_id)
        return inter is None or time.monotonic() - inter.created > self.interaction_deadline

    def reaction_key(self, emoji: str) -> str:
        return unquote(emoji)
