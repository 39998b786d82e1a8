"""What people do on the fake Discord: post, edit, react, run commands, click, submit forms.

Each helper changes the fake's state the way Discord would and dispatches the gateway event the bot
receives, shaped like the recorded payloads.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from .payloads import load, now_iso

if TYPE_CHECKING:
    from .fake_discord import FakeDiscord

Json = dict[str, Any]
Emoji = str | tuple[str, str]  # "👍" or ("upvote", "1200000000000000001")


def emoji_payload(emoji: Emoji) -> Json:
    if isinstance(emoji, tuple):
        return {"id": emoji[1], "name": emoji[0]}
    return {"id": None, "name": emoji}


def emoji_key(emoji: Emoji) -> str:
    """The key REST uses in reaction routes: the character, or ``name:id`` for a custom emoji."""
    return f"{emoji[0]}:{emoji[1]}" if isinstance(emoji, tuple) else emoji


def _option(name: str, value: Any) -> Json:
    kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value}


class EventsMixin:
    """Mixed into FakeDiscord; ``self`` is the fake."""

    # ------------------------------------------------------------- messages
    async def user_message(
        self: FakeDiscord, channel: Json, author: Json, content: str, *, mentions_bot: bool = False
    ) -> Json:
        message = self.new_message(channel["id"], author, content)
        if mentions_bot:
            message["mentions"] = [self.bot]
        await self.dispatch(
            "MESSAGE_CREATE", {**self.visible(message), "member": self.member_of(author["id"])}
        )
        return message

    async def user_edit(self: FakeDiscord, message: Json, content: str) -> None:
        message.update(content=content, edited_timestamp=now_iso())
        await self.dispatch("MESSAGE_UPDATE", self.visible(message))

    async def user_delete(self: FakeDiscord, message: Json) -> None:
        self.messages.pop(message["id"], None)
        await self.dispatch(
            "MESSAGE_DELETE",
            {
                "id": message["id"],
                "channel_id": message["channel_id"],
                "guild_id": message["guild_id"],
            },
        )

    # ------------------------------------------------------------- reactions
    async def react(self: FakeDiscord, user: Json, message: Json, emoji: Emoji) -> None:
        users = self.reactions.setdefault((message["id"], emoji_key(emoji)), [])
        if user["id"] not in users:
            users.append(user["id"])
        data = load("message_reaction_add")
        data.update(
            user_id=user["id"],
            channel_id=message["channel_id"],
            message_id=message["id"],
            emoji=emoji_payload(emoji),
            guild_id=message["guild_id"],
            member=self.member_of(user["id"]) | {"user": user},
            message_author_id=message["author"]["id"],
        )
        await self.dispatch("MESSAGE_REACTION_ADD", data)

    async def unreact(self: FakeDiscord, user: Json, message: Json, emoji: Emoji) -> None:
        users = self.reactions.get((message["id"], emoji_key(emoji)), [])
        if user["id"] in users:
            users.remove(user["id"])
        data = load("message_reaction_remove")  # a removal carries no member, as on Discord
        data.update(
            user_id=user["id"],
            channel_id=message["channel_id"],
            message_id=message["id"],
            emoji=emoji_payload(emoji),
            guild_id=message["guild_id"],
        )
        await self.dispatch("MESSAGE_REACTION_REMOVE", data)

    async def clear_reactions(self: FakeDiscord, message: Json) -> None:
        for key in [k for k in self.reactions if k[0] == message["id"]]:
            del self.reactions[key]
        data = {
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message["guild_id"],
        }
        await self.dispatch("MESSAGE_REACTION_REMOVE_ALL", data)

    async def clear_emoji(self: FakeDiscord, message: Json, emoji: Emoji) -> None:
        self.reactions.pop((message["id"], emoji_key(emoji)), None)
        data = {
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "guild_id": message["guild_id"],
            "emoji": emoji_payload(emoji),
        }
        await self.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", data)

    # ------------------------------------------------------------- interactions
    def _interaction(
        self: FakeDiscord, kind: int, user: Json, channel: Json, data: Json, *, age: float = 0.0
    ) -> Json:
        from .fake_discord import _Interaction

        payload = load("interaction_create")
        member = dict(self.members.get(user["id"], {"user": user, "roles": [], "permissions": "0"}))
        payload.update(
            id=self.ids.next(),
            application_id=self.application_id,
            type=kind,
            data=data,
            guild={"id": channel["guild_id"], "locale": "en-US", "features": []},
            guild_id=channel["guild_id"],
            channel=channel,
            channel_id=channel["id"],
            member={**payload["member"], **member, "user": user},
            token=secrets.token_urlsafe(48),
            app_permissions=str(self.app_permissions),
        )
        # ``age`` is how long the event took to reach the bot: the 3-second clock starts at Discord.
        self.interactions[payload["id"]] = _Interaction(payload, time.monotonic() - age)
        return payload

    async def slash(
        self: FakeDiscord,
        user: Json,
        name: str,
        *,
        channel: Json | None = None,
        subcommand: str | None = None,
        age: float = 0.0,
        **options: Any,
    ) -> str:
        opts = [_option(k, v) for k, v in options.items() if v is not None]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        channel = channel or self.general
        data = {
            "id": self.ids.next(),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": channel["guild_id"],
        }
        payload = self._interaction(2, user, channel, data, age=age)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def autocomplete(
        self: FakeDiscord, user: Json, name: str, focused: str, value: str, **options: Any
    ) -> str:
        opts = [_option(k, v) for k, v in options.items()]
        opts.append({"name": focused, "type": 3, "value": value, "focused": True})
        data = {
            "id": self.ids.next(),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": self.general["guild_id"],
        }
        payload = self._interaction(4, user, self.general, data)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def click(
        self: FakeDiscord, user: Json, message: Json, custom_id: str, *, age: float = 0.0
    ) -> str:
        data = {"custom_id": custom_id, "component_type": 2}
        channel = self.channels[message["channel_id"]]
        payload = self._interaction(3, user, channel, data, age=age)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def submit_modal(
        self: FakeDiscord, user: Json, channel: Json, custom_id: str, values: dict[str, str]
    ) -> str:
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        payload = self._interaction(5, user, channel, {"custom_id": custom_id, "components": rows})
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    def response(self: FakeDiscord, interaction_id: str) -> Json | None:
        """The bot's callback body for an interaction (type and data), if it answered in time."""
        for call in self.calls:
            if call.path.startswith(f"/interactions/{interaction_id}/") and call.status == 200:
                return dict(call.body)
        return None

    def original(self: FakeDiscord, interaction_id: str) -> Json | None:
        """The interaction's response message as it is now (after any edits)."""
        inter = self.interactions[interaction_id]
        return inter.original
