"""qabot's client for a sharded bot: one gateway connection per shard this process owns.

Discord splits a bot's guilds into `shard_count` shards (a guild's shard is
`(guild_id >> 22) % shard_count`) and sends each connection only its shard's guilds and events,
so several processes can each connect their own `[discord] shard_ids`. discord.py's
`AutoShardedClient` runs the connections; the handlers here follow each shard on its own:
readiness waits for every owned shard, and a shard that comes back catches up its own guilds.
"""

from __future__ import annotations

import asyncio

import discord

from adapters.discord.client import QABotClient
from bot.service import QAService
from bot.settings import Settings

__all__ = ["IDENTIFY_SPACING", "ShardedQABotClient"]

# Discord takes one IDENTIFY per 5 s from a bot (more for large bots, in buckets): the shards of
# one process start that far apart.
IDENTIFY_SPACING = 5.0


class ShardedQABotClient(QABotClient, discord.AutoShardedClient):
    def __init__(
        self,
        *,
        settings: Settings,
        service: QAService,
        guild_ready_timeout: float = 2.0,
        identify_spacing: float = IDENTIFY_SPACING,
    ) -> None:
        self.identify_spacing = identify_spacing
        super().__init__(
            settings=settings,
            service=service,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=settings.discord.shard_count,
            shard_ids=list(settings.discord.owned_shards),
        )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self.identify_spacing)

    # Each shard's connection is followed through the shard events; the client-wide ones that
    # discord.py also sends for every shard would count it twice.
    async def on_connect(self) -> None:
        pass

    async def on_resumed(self) -> None:
        pass

    async def on_disconnect(self) -> None:
        pass

    async def on_ready(self) -> None:  # every owned shard was READY at least once
        self._log_connected()

    async def on_shard_connect(self, shard_id: int) -> None:
        self.gateway_watch.up(shard_id)

    async def on_shard_ready(self, shard_id: int) -> None:
        self._connection_ready(shard_id, "ready")

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.gateway_watch.up(shard_id)
        self._connection_ready(shard_id, "resumed")

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self._connection_lost(shard_id)
