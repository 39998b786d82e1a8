"""Discord's side of catch-up after downtime: what a question's message and thread show now.

`DiscordView` reads a message's reactions (each voting emoji's users, paged past 100 by
discord.py) and a thread's history through the context's client, whose HTTP layer waits out 429s as
Discord says. `start_catch_up` runs one `bot.reconcile.Reconciler` pass for a guild in the
background: on READY (a start or a new session) and on RESUMED (a dropped gateway came back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord

import adapters.discord.translate as tr
from adapters.discord.context import DiscordContext
from bot.domain import MessageRef, Question
from bot.emoji_keys import normalize_emoji
from bot.reconcile import CatchUp, Reconciler, SeenReaction, SeenReply

__all__ = ["DiscordView", "start_catch_up"]

log = logging.getLogger("qabot.discord")


class DiscordView:
    def __init__(self, context: DiscordContext, guild_id: int) -> None:
        self.context = context
        self.guild_id = guild_id
        voting = context.settings.voting
        self._counted = {*voting.weights, normalize_emoji(voting.accept_emoji)}

    async def _channel(self, channel_id: str) -> Any | None:
        try:
            return await self.context.resolve_channel(int(channel_id))
        except discord.NotFound:
            return None

    async def reactions(self, message: MessageRef) -> Sequence[SeenReaction] | None:
        channel = await self._channel(message.channel_id)
        if channel is None:
            return None
        try:
            fetched = await channel.fetch_message(int(message.message_id))
        except discord.NotFound:
            return None
        seen = []
        for reaction in fetched.reactions:
            key = tr.emoji_key(_partial(reaction.emoji))
            if normalize_emoji(key) not in self._counted:
                continue  # only voting emoji are worth a call per 100 users
            async for user in reaction.users(limit=None):
                seen.append(SeenReaction(str(user.id), key, user.bot))
        return seen

    async def replies(self, question: Question) -> Sequence[SeenReply] | None:
        if question.thread_key is None:
            return None
        thread = await self._channel(question.thread_key)
        if thread is None:
            return None
        seen = []
        async for message in thread.history(limit=None):
            ref = MessageRef(str(thread.id), str(message.id))
            if question.message is not None and ref == question.message:
                continue  # a forum post's starter message is the question itself
            author = tr.user_ref(message.author, guild_id=self.guild_id)
            seen.append(SeenReply(ref, author, message.content))
        return seen


def _partial(emoji: discord.Emoji | discord.PartialEmoji | str) -> discord.PartialEmoji:
    if isinstance(emoji, str):
        return discord.PartialEmoji(name=emoji)
    if isinstance(emoji, discord.Emoji):
        return discord.PartialEmoji(name=emoji.name, id=emoji.id, animated=emoji.animated)
    return emoji


def start_catch_up(context: DiscordContext, guild_id: int) -> asyncio.Task[CatchUp] | None:
    """One catch-up pass for a guild in the background; none if one runs already or days = 0."""
    days = context.settings.reconcile.days
    running = context.catch_up_tasks.get(guild_id)
    if days <= 0 or (running is not None and not running.done()):
        return None
    view = DiscordView(context, guild_id)
    service = context.service
    reconciler = Reconciler(service=service, view=view, days=days, clock=service.clock)
    task = asyncio.get_running_loop().create_task(_logged(reconciler, guild_id))
    context.catch_up_tasks[guild_id] = task
    return task


async def _logged(reconciler: Reconciler, guild_id: int) -> CatchUp:
    try:
        return await reconciler.run(tr.workspace(guild_id))
    except Exception:  # the store is down, say: the next READY or RESUMED tries again
        log.exception("catch-up in guild %s stopped", guild_id)
        return CatchUp()
