"""Reading Discord's history, for catch-up (adapters/discord/catchup.py) and import
(adapters/discord/importer.py) alike: one listing code, read to the end of every list.

`messages` pages a channel's or thread's messages (discord.py asks 100 at a time, by `before`,
or by `after` oldest first); each message carries its reactions with counts, never who reacted,
so `reactors` pages one emoji's users (100 at a time, by `after`) only when asked. Everything
goes through the discord.py client's HTTP layer, which waits out 429s (`retry_after`) and backs
off on 5xx answers. discord.py objects stop here: callers get `bot.reconcile` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord

import adapters.discord.translate as tr
from bot.domain import MessageRef
from bot.reconcile import SeenEmoji, SeenMessage, SeenReaction

__all__ = ["DiscordHistory"]


class DiscordHistory:
    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        # The listed reactions, kept so that `reactors` can page the users of one of them.
        self._listed: dict[tuple[MessageRef, str], discord.Reaction] = {}

    async def messages(
        self, channel: Any, *, after: datetime | None = None, oldest_first: bool = False
    ) -> list[discord.Message]:
        """Every message of a channel or thread (posted after `after`)."""
        return [
            message
            async for message in channel.history(limit=None, after=after, oldest_first=oldest_first)
        ]

    def seen(self, ref: MessageRef, message: discord.Message) -> SeenMessage:
        author = tr.user_ref(message.author, guild_id=self.guild_id)
        return SeenMessage(ref, author, message.content, self.reactions(ref, message))

    def reactions(self, ref: MessageRef, message: discord.Message) -> tuple[SeenEmoji, ...]:
        seen = []
        for reaction in message.reactions:
            key = tr.emoji_key(_partial(reaction.emoji))
            self._listed[(ref, key)] = reaction
            seen.append(SeenEmoji(key, reaction.count))
        return tuple(seen)

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        reaction = self._listed[(message, seen.emoji)]
        return [
            SeenReaction(str(user.id), seen.emoji, user.bot)
            async for user in reaction.users(limit=None)
        ]


def _partial(emoji: discord.Emoji | discord.PartialEmoji | str) -> discord.PartialEmoji:
    if isinstance(emoji, str):
        return discord.PartialEmoji(name=emoji)
    if isinstance(emoji, discord.Emoji):
        return discord.PartialEmoji(name=emoji.name, id=emoji.id, animated=emoji.animated)
    return emoji
