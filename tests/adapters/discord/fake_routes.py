"""REST routes of the fake Discord: each answers like Discord's API v10 for qabot's calls."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .payloads import now_iso

if TYPE_CHECKING:
    from .fake_discord import FakeDiscord

Json = dict[str, Any]
Result = tuple[int, Any, dict[str, str]]
Handler = Callable[["FakeDiscord", Any, "re.Match[str]"], Awaitable[Result]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []

UNKNOWN_INTERACTION: Json = {"message": "Unknown interaction", "code": 10062}
ALREADY_ACKNOWLEDGED: Json = {
    "message": "Interaction has already been acknowledged.",
    "code": 40060,
}
UNKNOWN_MESSAGE: Json = {"message": "Unknown Message", "code": 10008}
UNKNOWN_CHANNEL: Json = {"message": "Unknown Channel", "code": 10003}
UNKNOWN_WEBHOOK: Json = {"message": "Unknown Webhook", "code": 10015}


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(pattern), handler))
        return handler

    return register


def ok(payload: Any, status: int = 200) -> Result:
    return status, payload, {}


# ------------------------------------------------------------------------- login and commands
@route("GET", r"/users/@me")
async def get_me(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    return ok(fake.bot)


@route("GET", r"/oauth2/applications/@me")
async def get_application(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    owner = fake.owner
    return ok(
        {
            "id": fake.application_id,
            "name": "qabot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            # GATEWAY_MESSAGE_CONTENT_LIMITED when the portal's switch is on
            "flags": 1 << 19 if fake.message_content_allowed else 0,
            "interactions_endpoint_url": None,
            "bot": fake.bot,
        }
    )


@route("PUT", r"/applications/(?P<app>\d+)(?:/guilds/(?P<guild>\d+))?/commands")
async def sync_commands(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    synced = []
    for command in body:
        synced.append(
            {
                **command,
                "id": fake.ids.next(),
                "application_id": m["app"],
                "version": fake.ids.next(),
                **({"guild_id": m["guild"]} if m["guild"] else {}),
            }
        )
    return ok(synced)


@route("GET", r"/gateway/bot")
async def gateway_bot(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    """Where to connect, how many shards Discord recommends, and how many sessions may start."""
    return ok(
        {
            "url": str(fake.gateway_url),
            "shards": fake.shards_required,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - len(fake.identified_shards),
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }
    )


# ------------------------------------------------------------------------- interactions
@route("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback")
async def interaction_callback(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    inter = fake.interactions.get(m["id"])
    if inter is None or inter.payload["token"] != m["token"] or fake.interaction_expired(m["id"]):
        return 404, UNKNOWN_INTERACTION, {}
    if inter.responded:
        return 400, ALREADY_ACKNOWLEDGED, {}
    inter.responded = True
    kind, data = body["type"], body.get("data") or {}
    result: Json = {"interaction": {"id": m["id"], "type": inter.payload["type"]}}
    if kind in (4, 5):  # a message now, or "thinking..." to be edited later
        flags = int(data.get("flags") or 0) | (128 if kind == 5 else 0)
        channel_id = inter.payload["channel_id"]
        message = fake.new_message(
            channel_id, fake.bot, data.get("content") or "", {**data, "flags": flags}
        )
        message["interaction_metadata"] = {
            "id": m["id"],
            "type": inter.payload["type"],
            "user": inter.payload["member"]["user"],
            "authorizing_integration_owners": {},
        }
        inter.original = message
        result["interaction"].update(
            response_message_id=message["id"],
            response_message_loading=kind == 5,
            response_message_ephemeral=bool(flags & 64),
        )
        result["resource"] = {"type": kind, "message": message}
    elif kind == 7 and "message" in inter.payload:  # update the component's message
        message = fake.messages.get(inter.payload["message"]["id"])
        if message is not None:
            _apply_edit(message, data)
            result["resource"] = {"type": kind, "message": message}
    else:
        result["resource"] = {"type": kind}
    return ok(result)


def _interaction_by_token(fake: FakeDiscord, token: str) -> Any:
    for inter in fake.interactions.values():
        if inter.payload["token"] == token:
            return inter
    return None


@route("PATCH", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)")
async def edit_webhook_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    inter = _interaction_by_token(fake, m["token"])
    if inter is None or not inter.responded:
        return 404, UNKNOWN_WEBHOOK, {}
    message = inter.original if m["mid"] == "@original" else fake.messages.get(m["mid"])
    if message is None:
        return 404, UNKNOWN_MESSAGE, {}
    _apply_edit(message, body)
    message["flags"] = int(message.get("flags") or 0) & ~128
    return ok(message)


@route("GET", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/@original")
async def get_original(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    inter = _interaction_by_token(fake, m["token"])
    if inter is None or inter.original is None:
        return 404, UNKNOWN_MESSAGE, {}
    return ok(inter.original)


@route("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)")
async def followup(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    inter = _interaction_by_token(fake, m["token"])
    if inter is None or not inter.responded:
        return 404, UNKNOWN_WEBHOOK, {}
    channel_id = inter.payload["channel_id"]
    return ok(fake.new_message(channel_id, fake.bot, body.get("content") or "", body))


# ------------------------------------------------------------------------- channels and messages
@route("GET", r"/channels/(?P<cid>\d+)")
async def get_channel(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    channel = fake.channels.get(m["cid"])
    return ok(channel) if channel else (404, UNKNOWN_CHANNEL, {})


@route("POST", r"/channels/(?P<cid>\d+)/messages")
async def create_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    if m["cid"] not in fake.channels:
        return 404, UNKNOWN_CHANNEL, {}
    message = fake.new_message(m["cid"], fake.bot, body.get("content") or "", body)
    await fake.dispatch(
        "MESSAGE_CREATE", fake.visible(message)
    )  # Discord echoes the bot's own posts
    return ok(message)


@route("GET", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)")
async def get_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    message = fake.messages.get(m["mid"])
    if message is None or message["channel_id"] != m["cid"]:
        return 404, UNKNOWN_MESSAGE, {}
    return ok({**fake.visible(message), "reactions": _reaction_counts(fake, m["mid"])})


def _reaction_counts(fake: FakeDiscord, message_id: str) -> list[Json]:
    """A fetched message's `reactions`: each emoji with its count, as Discord summarises them."""
    counts = []
    for (mid, key), users in fake.reactions.items():
        if mid == message_id and users:
            name, _, emoji_id = key.partition(":")
            emoji = {"id": emoji_id or None, "name": name}
            counts.append({"emoji": emoji, "count": len(users), "me": fake.bot["id"] in users})
    return counts


@route("GET", r"/channels/(?P<cid>\d+)/messages")
async def history(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    """A channel's messages newest first, `limit` (at most 100) at a time, before `before`."""
    if m["cid"] not in fake.channels:
        return 404, UNKNOWN_CHANNEL, {}
    limit, before = min(int(fake.query.get("limit", 50)), 100), fake.query.get("before")
    after = fake.query.get("after")
    found = sorted(
        (msg for msg in fake.messages.values() if msg["channel_id"] == m["cid"]),
        key=lambda msg: int(msg["id"]), reverse=True,
    )  # fmt: skip
    if before is not None:
        found = [msg for msg in found if int(msg["id"]) < int(before)]
    if after is not None:  # the `limit` messages right after `after`, still newest first
        found = [msg for msg in found if int(msg["id"]) > int(after)][-limit:]
    return ok([_listed(fake, msg) for msg in found[:limit]])


def _listed(fake: FakeDiscord, message: Json) -> Json:
    """A message as a listing shows it: reaction counts, and the thread it started, if any."""
    listed = {**fake.visible(message), "reactions": _reaction_counts(fake, message["id"])}
    thread = fake.channels.get(message["id"])
    if thread is not None and thread["id"] != message["channel_id"]:
        listed["thread"] = thread
    return listed


@route("PATCH", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)")
async def edit_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    message = fake.messages.get(m["mid"])
    if message is None or message["channel_id"] != m["cid"]:
        return 404, UNKNOWN_MESSAGE, {}
    if message["author"]["id"] != fake.bot["id"]:
        return 403, {"message": "Cannot edit a message authored by another user", "code": 50005}, {}
    _apply_edit(message, body)
    return ok(message)


@route("DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)")
async def delete_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    message = fake.messages.pop(m["mid"], None)
    if message is None:
        return 404, UNKNOWN_MESSAGE, {}
    return 204, None, {}


def _apply_edit(message: Json, body: Json) -> None:
    for key in ("content", "embeds", "components"):
        if key in body:
            message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
    message["edited_timestamp"] = now_iso()


# ------------------------------------------------------------------------- threads
def _thread(fake: FakeDiscord, parent: Json, name: str, thread_id: str, archive: int) -> Json:
    thread = {
        "id": thread_id,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": fake.bot["id"],
        "name": name,
        "type": 11,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": archive,
            "archive_timestamp": now_iso(),
            "locked": False,
        },
    }
    fake.channels[thread_id] = thread
    return thread


@route("POST", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/threads")
async def thread_from_message(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    parent, message = fake.channels.get(m["cid"]), fake.messages.get(m["mid"])
    if parent is None or message is None:
        return 404, UNKNOWN_MESSAGE, {}
    if parent["type"] not in (0, 5):
        return 400, {"message": "Cannot execute action on this channel type", "code": 50024}, {}
    # A thread started from a message shares the message's id, as on Discord.
    thread = _thread(
        fake, parent, body["name"], message["id"], body.get("auto_archive_duration", 1440)
    )
    await fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    return ok(thread, 201)


@route("POST", r"/channels/(?P<cid>\d+)/threads")
async def forum_post(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    parent = fake.channels.get(m["cid"])
    if parent is None:
        return 404, UNKNOWN_CHANNEL, {}
    if parent["type"] != 15:
        return 400, {"message": "Invalid Form Body", "code": 50035}, {}
    known = {t["id"] for t in parent.get("available_tags", [])}
    tags = [t for t in body.get("applied_tags") or [] if t in known]
    thread_id = fake.ids.next()
    thread = _thread(fake, parent, body["name"], thread_id, body.get("auto_archive_duration", 1440))
    thread["applied_tags"] = tags
    first = body.get("message") or {}
    message = fake.new_message(thread_id, fake.bot, first.get("content") or "", first)
    # The starter message of a forum post has the thread's id.
    fake.messages.pop(message["id"])
    message["id"] = thread_id
    fake.messages[thread_id] = message
    await fake.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    return ok({**thread, "message": message}, 201)


# ------------------------------------------------------------------------- reactions
@route("GET", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/(?P<emoji>[^/]+)")
async def reaction_users(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    if m["mid"] not in fake.messages:
        return 404, UNKNOWN_MESSAGE, {}
    user_ids = fake.reactions.get((m["mid"], fake.reaction_key(m["emoji"])), [])
    # Paged like Discord: by user id, `limit` (at most 100) after `after`.
    limit, after = min(int(fake.query.get("limit", 25)), 100), int(fake.query.get("after", 0))
    page = sorted((u for u in user_ids if int(u) > after), key=int)[:limit]
    users = [fake.members[u]["user"] if u in fake.members else fake.bot for u in page]
    return ok(users)


@route("PUT", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/(?P<emoji>[^/]+)/@me")
async def add_own_reaction(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    if m["mid"] not in fake.messages:
        return 404, UNKNOWN_MESSAGE, {}
    key = fake.reaction_key(m["emoji"])
    users = fake.reactions.setdefault((m["mid"], key), [])
    if fake.bot["id"] not in users:
        users.append(fake.bot["id"])
    return 204, None, {}


@route("GET", r"/guilds/(?P<gid>\d+)/members/(?P<uid>\d+)")
async def get_member(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    if m["uid"] not in fake.members:
        return 404, {"message": "Unknown Member", "code": 10007}, {}
    return ok(fake.member_of(m["uid"]))


# ------------------------------------------------------------------------- thread listings
@route("GET", r"/guilds/(?P<gid>\d+)/threads/active")
async def active_threads(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    threads = [
        c
        for c in fake.channels.values()
        if c["type"] == 11 and c["guild_id"] == m["gid"] and not _archived(c)
    ]
    return ok({"threads": threads, "members": []})


@route("GET", r"/channels/(?P<cid>\d+)/threads/archived/public")
async def archived_threads(fake: FakeDiscord, body: Any, m: re.Match[str]) -> Result:
    """A channel's archived threads, most recently archived first, `limit` before `before`."""
    if m["cid"] not in fake.channels:
        return 404, UNKNOWN_CHANNEL, {}
    limit, before = int(fake.query.get("limit", 50)), fake.query.get("before")
    found = sorted(
        (c for c in fake.channels.values()
         if c.get("parent_id") == m["cid"] and c["type"] == 11 and _archived(c)),
        key=lambda c: c["thread_metadata"]["archive_timestamp"], reverse=True,
    )  # fmt: skip
    if before is not None:
        found = [c for c in found if c["thread_metadata"]["archive_timestamp"] < before]
    return ok({"threads": found[:limit], "members": [], "has_more": len(found) > limit})


def _archived(thread: Json) -> bool:
    return bool(thread.get("thread_metadata", {}).get("archived"))


def start_thread(
    fake: FakeDiscord, parent: Json, starter: Json, name: str, *, archived: bool = False
) -> Json:
    """A thread someone started, sharing its id with `starter` (their message in `parent`, or
    in a forum the starter message itself), archived or not."""
    thread = _thread(fake, parent, name, starter["id"], 1440)
    thread["owner_id"] = starter["author"]["id"]
    # Archived at the moment its id names, to the microsecond: no two threads share a stamp.
    snowflake = int(starter["id"])
    micros = ((snowflake >> 22) + 1420070400000) * 1000 + (snowflake & 0xFFF) % 1000
    stamp = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    thread["thread_metadata"].update(archived=archived, archive_timestamp=stamp.isoformat())
    return thread
