"""Discord's side of catch-up after downtime: what a question's message and thread show now.

`DiscordView.thread` fetches the question's message and lists its thread's history (paged by
discord.py); Discord's message objects carry each emoji's count but not who reacted, so
`reactors` pages an emoji's users (100 at a time) only when the Reconciler found its count
changed. The listing is adapters/discord/history.py's, which `qabot import` reads with too;
everything goes through the context's client, whose HTTP layer waits out 429s as Discord says.
`start_catch_up` runs one `bot.reconcile.Reconciler` pass for a guild in the background: on READY
(a start or a new session) and on RESUMED (a dropped gateway came back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord

import adapters.discord.translate as tr
from adapters.discord.context import DiscordContext
from adapters.discord.history import DiscordHistory
from bot.domain import MessageRef, Question, UserRef
from bot.reconcile import CatchUp, Reconciler, SeenEmoji, SeenMessage, SeenReaction, SeenThread

__all__ = ["DiscordView", "start_catch_up"]

log = logging.getLogger("qabot.discord")


class DiscordView:
    def __init__(self, context: DiscordContext, guild_id: int) -> None:
        self.context = context
        self.guild_id = guild_id
        self.history = DiscordHistory(guild_id)

    async def _channel(self, channel_id: str) -> Any | None:
        try:
            return await self.context.resolve_channel(int(channel_id))
        except discord.NotFound:
            return None

    async def thread(self, question: Question) -> SeenThread | None:
        assert question.message is not None
        channel = await self._channel(question.message.channel_id)
        if channel is None:
            return None
        try:
            head = await channel.fetch_message(int(question.message.message_id))
        except discord.NotFound:
            return None
        reactions = self.history.reactions(question.message, head)
        return SeenThread(reactions, await self._replies(question))

    async def _replies(self, question: Question) -> tuple[SeenMessage, ...] | None:
        thread = None if question.thread_key is None else await self._channel(question.thread_key)
        if thread is None:
            return None
        seen = []
        for message in await self.history.messages(thread):
            ref = MessageRef(str(thread.id), str(message.id))
            if ref != question.message:  # a forum post's starter message is the question itself
                seen.append(self.history.seen(ref, message))
        return tuple(seen)

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        return await self.history.reactors(message, seen)

    async def person(self, author: UserRef) -> UserRef:
        return author  # a Discord message names its author in full


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
