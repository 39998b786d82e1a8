"""A fake Slack Web API (and Socket Mode endpoint) on 127.0.0.1:0 for the Slack adapter tests.

It answers the handful of methods the bot uses the way Slack does (``{"ok": true, ...}``,
string ``ts`` values that grow, ``invalid_auth`` for a wrong token, ``channel_not_found`` ...),
records every call so a test can assert what a user would see, can answer the next N calls of a
method with HTTP 429 + ``Retry-After``, records posts to slash-command ``response_url``s, and serves
a Socket Mode websocket (handed out by ``apps.connections.open``) on which a test pushes envelopes
and reads their acks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.held import Held

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
TEAM_ID = "T123ABC456"
MANIFEST_SCOPES = (
    "commands", "chat:write", "channels:read", "groups:read", "channels:history",
    "groups:history", "reactions:read", "users:read",
)  # fmt: skip
TEAM_DOMAIN = "fake-workspace"
BOT_USER_ID = "U0FAKEBOT1"
BOT_ID = "B0FAKEBOT1"
APP_ID = "A123ABC456"
CHANNEL_ID = "C123ABC456"

Json = dict[str, Any]
Handler = Callable[[Json], Awaitable[Json] | Json]


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it."""

    method: str
    params: Json
    token: str | None


@dataclass
class _Scripted:
    """What the next calls of one method answer instead of the normal reply."""

    rate_limited: int = 0
    retry_after: int = 0
    server_errors: int = 0
    errors: list[str] = field(default_factory=list)


class FakeSlack:
    """Start with ``await fake.start()``; point ``AsyncWebClient(base_url=fake.api_url)`` at it."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.response_peers: list[Any] = []  # the client's address of each response_url request
        self.responses: list[tuple[str, Json]] = []  # (response_url key, body) in arrival order
        self.channels: set[str] = {CHANNEL_ID, "C0OTHERCH1", "C0PRIVATE1"}  # the bot is in these
        self.private: set[str] = {"C0PRIVATE1"}
        self.outside: set[str] = {"C0NOTJOIND"}  # exist, but the bot was never invited
        self.users: dict[str, Json] = {}
        self.messages: dict[tuple[str, str], Json] = {}  # (channel, ts) -> message
        self.reactions: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(dict)
        self.holds: dict[str, Held] = {}
        self.slow: dict[str, float] = {}  # method -> seconds every answer of it takes
        # The scopes the bot token was granted: auth.test's x-oauth-scopes header.
        self.scopes = MANIFEST_SCOPES
        # Listings (conversations.replies) name at most this many users of an emoji, with the
        # full count; reactions.get with full=true names them all.
        self.listing_names_at_most = 50
        # conversations.history and conversations.replies answer at most this many messages a
        # page, whatever `limit` asks (a test makes a short channel page).
        self.page_at_most = 1000
        self.socket_acks: dict[str, asyncio.Future[Json]] = {}
        self._scripted: dict[str, _Scripted] = defaultdict(_Scripted)
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connected = asyncio.Event()
        self._called = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._methods: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "views.open": self._views_open,
            "users.info": self._users_info,
            "reactions.get": self._reactions_get,
            "conversations.replies": self._replies,
            "conversations.history": self._history,
            "conversations.info": self._conversation_info,
            "apps.connections.open": self._connections_open,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "cmd") -> str:
        """A loopback ``response_url`` whose posts land in ``self.responses`` under ``key``."""
        return f"{self.base_url}/respond/{key}"

    # ---------------------------------------------------------------- scripting

    def rate_limit_next(self, method: str, times: int = 1, *, retry_after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and ``Retry-After``."""
        scripted = self._scripted[method]
        scripted.rate_limited, scripted.retry_after = times, retry_after

    def server_error_next(self, method: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 503, as Slack does in outages."""
        self._scripted[method].server_errors = times

    def fail_next(self, method: str, error: str) -> None:
        """Answer the next call of ``method`` with ``{"ok": false, "error": error}``."""
        self._scripted[method].errors.append(error)

    def add_user(
        self, user_id: str, name: str, *, is_bot: bool = False, admin: bool = False
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name.lower(),
            "real_name": name,
            "is_bot": is_bot,
            "is_admin": admin,
            "profile": {"display_name": name, "real_name": name},
        }

    # ---------------------------------------------------------------- queries

    def add_message(self, channel: str, user: str, text: str, *, thread_ts: str) -> str:
        """A person's thread reply that happened while the bot was away (no event for it)."""
        ts = self._next_ts()
        self.messages[(channel, ts)] = {
            "type": "message", "user": user, "team": TEAM_ID, "text": text, "ts": ts,
            "thread_ts": thread_ts,
        }  # fmt: skip
        return ts

    def add_top_message(self, channel: str, user: str, text: str, *, bot: bool = False) -> str:
        """A top-level message posted in the channel by a person (or another app, `bot`)."""
        ts = self._next_ts()
        message = {"type": "message", "user": user, "team": TEAM_ID, "text": text, "ts": ts}
        if bot:
            message["bot_id"] = f"B{user}"
        self.messages[(channel, ts)] = message
        return ts

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[Json]:
        """Messages the bot posted (or updated), oldest first, as they stand now."""
        return [m for (ch, _), m in self.messages.items() if channel in (None, ch)]

    def ephemerals(self, user: str | None = None) -> list[Json]:
        return [
            c.params
            for c in self.calls_to("chat.postEphemeral")
            if user in (None, c.params.get("user"))
        ]

    async def wait_for_call(self, method: str, *, count: int = 1, within: float = 5) -> Call:
        """The `count`-th call of `method`, once it has arrived (for a bot in another process)."""
        async with asyncio.timeout(within):
            while len(self.calls_to(method)) < count:
                self._called.clear()
                await self._called.wait()
        return self.calls_to(method)[count - 1]

    # ---------------------------------------------------------------- socket mode

    async def wait_for_socket(self, *, within: float = 5) -> None:
        await asyncio.wait_for(self._socket_connected.wait(), within)

    async def push_envelope(self, kind: str, payload: Json, *, within: float = 5) -> Json:
        """Send a Socket Mode envelope (``events_api``, ``slash_commands``, ``interactive``).

        Returns the app's ack for it, as the app sent it.
        """
        await self.wait_for_socket(within=within)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        ack: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self.socket_acks[envelope_id] = ack
        await self._sockets[-1].send_str(json.dumps(envelope))
        return await asyncio.wait_for(ack, within)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        self._socket_connected.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                ack = json.loads(msg.data)
                future = self.socket_acks.get(ack.get("envelope_id", ""))
                if future is not None and not future.done():
                    future.set_result(ack)
        self._sockets.remove(ws)
        return ws

    # ---------------------------------------------------------------- HTTP plumbing

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self.calls.append(Call(method, params, token))
        self._called.set()
        scripted = self._scripted[method]
        if scripted.rate_limited > 0:
            scripted.rate_limited -= 1
            headers = {"Retry-After": str(scripted.retry_after)}
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers=headers
            )
        if scripted.server_errors > 0:
            scripted.server_errors -= 1
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            error = "not_allowed_token_type" if token in (APP_TOKEN, BOT_TOKEN) else "invalid_auth"
            return web.json_response({"ok": False, "error": error})
        if scripted.errors:
            return web.json_response({"ok": False, "error": scripted.errors.pop(0)})
        handler = self._methods.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        body = handler(params)
        if asyncio.iscoroutine(body):
            body = await body
        assert isinstance(body, dict)
        if (held := self.holds.pop(method, None)) is not None:
            await held.wait()  # the answer was read before the hold: send it now
        await asyncio.sleep(self.slow.get(method, 0))
        return web.json_response(body, headers={"x-oauth-scopes": ",".join(self.scopes)})

    def hold(self, method: str) -> Held:
        """Hold the next answer of one Web API method: read now, sent when released."""
        held = self.holds[method] = Held()
        return held

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append((request.match_info["key"], await request.json()))
        self.response_peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        return web.Response(text="ok")

    # ---------------------------------------------------------------- methods

    def _next_ts(self) -> str:
        # Slack ts values are "<seconds>.<6 digits>" strings; keep them growing and unique.
        return f"1700000000.{next(self._ts):06d}"

    def _auth_test(self, params: Json) -> Json:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Workspace",
            "user": "qabot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _channel_error(self, channel: str | None) -> Json | None:
        if channel in self.channels:
            return None
        error = "not_in_channel" if channel in self.outside else "channel_not_found"
        return {"ok": False, "error": error}

    def _conversation_info(self, params: Json) -> Json:
        channel = str(params.get("channel"))
        if channel not in self.channels | self.outside:
            return {"ok": False, "error": "channel_not_found"}
        info = {
            "id": channel,
            "is_channel": True,
            "is_private": channel in self.private,
            "is_member": channel in self.channels,
            "is_archived": False,
        }
        return {"ok": True, "channel": info}

    def _post_message(self, params: Json) -> Json:
        channel = params.get("channel")
        if (error := self._channel_error(channel)) is not None:
            return error
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
            "ts": ts,
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        self.messages[(str(channel), ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, params: Json) -> Json:
        if (error := self._channel_error(params.get("channel"))) is not None:
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, params: Json) -> Json:
        channel, ts = str(params.get("channel")), str(params.get("ts"))
        if (error := self._channel_error(channel)) is not None:
            return error
        message = self.messages.get((channel, ts))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.update(text=params.get("text", message["text"]), blocks=params.get("blocks", []))
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _permalink(self, params: Json) -> Json:
        channel, ts = params.get("channel"), str(params.get("message_ts", ""))
        if (error := self._channel_error(channel)) is not None:
            return error
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _views_open(self, params: Json) -> Json:
        view = dict(params.get("view") or {})
        view.update(id=f"V{uuid.uuid4().hex[:8].upper()}", team_id=TEAM_ID, state={"values": {}})
        return {"ok": True, "view": view}

    def _users_info(self, params: Json) -> Json:
        user = self.users.get(str(params.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _reactions_get(self, params: Json) -> Json:
        key = (str(params.get("channel")), str(params.get("timestamp")))
        message = self.messages.get(key)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "type": "message",
            "channel": key[0],
            "message": self._with_reactions(key, message, names=None),
        }

    def _with_reactions(self, key: tuple[str, str], message: Json, *, names: int | None) -> Json:
        reactions = [
            {"name": name, "users": users[:names], "count": len(users)}
            for name, users in self.reactions.get(key, {}).items()
            if users
        ]
        return {**message, "reactions": reactions} if reactions else message

    def _replies(self, params: Json) -> Json:
        channel, parent = str(params.get("channel")), str(params.get("ts"))
        if (error := self._channel_error(channel)) is not None:
            return error
        thread = [
            self._with_reactions((ch, ts), m, names=self.listing_names_at_most)
            for (ch, ts), m in sorted(self.messages.items())
            if ch == channel and (ts == parent or m.get("thread_ts") == parent)
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        # Paged like Slack: `limit` messages, then a cursor (here: the next index) for the rest.
        return self._page(thread, params)

    def _page(self, listed: list[Json], params: Json) -> Json:
        start = int(params.get("cursor") or 0)
        limit = min(int(params.get("limit") or 1000), self.page_at_most)
        page, rest = listed[start : start + limit], listed[start + limit :]
        metadata = {"next_cursor": str(start + limit) if rest else ""}
        return {"ok": True, "messages": page, "has_more": bool(rest),
                "response_metadata": metadata}  # fmt: skip

    def _history(self, params: Json) -> Json:
        """A channel's top-level messages, newest first, each with its thread's reply count."""
        channel, oldest = str(params.get("channel")), str(params.get("oldest") or "0")
        if (error := self._channel_error(channel)) is not None:
            return error
        top = [
            {**self._with_reactions((ch, ts), m, names=self.listing_names_at_most),
             **self._reply_count(channel, ts)}
            for (ch, ts), m in sorted(self.messages.items(), reverse=True)
            if ch == channel and m.get("thread_ts") in (None, ts) and float(ts) >= float(oldest)
        ]  # fmt: skip
        return self._page(top, params)

    def _reply_count(self, channel: str, parent: str) -> Json:
        replies = [
            m for (ch, ts), m in self.messages.items()
            if ch == channel and ts != parent and m.get("thread_ts") == parent
        ]  # fmt: skip
        return {"thread_ts": parent, "reply_count": len(replies)} if replies else {}

    def _connections_open(self, params: Json) -> Json:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4()}"}


async def _read_params(request: web.Request) -> Json:
    """Query string, then form or JSON body, as one dict (like Slack, which accepts all three)."""
    params: Json = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in ("blocks", "view", "attachments"):
        # Form-encoded clients send structured arguments as JSON strings.
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
