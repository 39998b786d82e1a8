"""What qabot's Discord handlers share: settings, the core, and the channel lookups they need.

`QABotClient` builds one `DiscordContext` and hands it to the commands, the poster and catch-up,
so none of them needs the client's own type. Buttons are the exception discord.py imposes: it
rebuilds them from a custom id, so they reach the context through the interaction's client,
a `ContextClient`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord

import adapters.discord.translate as tr
from bot.errors import InvalidInput
from bot.service import QAService
from bot.settings import Settings

__all__ = ["ContextClient", "DiscordContext"]


class DiscordContext:
    def __init__(self, *, client: discord.Client, settings: Settings, service: QAService) -> None:
        self.client = client
        self.settings = settings
        self.service = service
        self.catch_up_tasks: dict[int, asyncio.Task[Any]] = {}  # guild id -> its catch-up

    async def resolve_channel(self, channel_id: int | None) -> Any:
        """A channel or thread from the cache, else from Discord (a thread after a restart)."""
        if channel_id is None:
            raise InvalidInput("qabot works in server channels.")
        found = self.client.get_channel(channel_id)
        return found if found is not None else await self.client.fetch_channel(channel_id)

    async def resolve_home(self, channel: Any) -> Any:
        """Where a thread's questions and rankings belong: its parent channel. Its name, which
        the channel object knows, is recorded for the web view (not for a private channel)."""
        home = await self.resolve_channel(channel.parent_id) if tr.is_thread(channel) else channel
        guild = getattr(home, "guild", None)
        if guild is not None:
            ref = tr.channel_ref(guild.id, home.id, is_private=tr.is_private(home))
            await self.service.channel_names.saw(ref, getattr(home, "name", None))
        return home

    def forum_tags(self, guild_id: int | None) -> list[str]:
        guild = self.client.get_guild(guild_id) if guild_id is not None else None
        if guild is None:
            return []
        tags = {t.name.lower() for f in guild.forums for t in f.available_tags}
        return sorted(tags)


class ContextClient(discord.Client):
    """A discord.py client that carries qabot's `DiscordContext` for its buttons."""

    context: DiscordContext
