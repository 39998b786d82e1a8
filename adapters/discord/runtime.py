"""Running the Discord adapter: build the discord.py client from settings and the core, and run
it until cancelled, turning a refused token or intent, or a Discord out of reach, into one
`SettingsError` line.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from adapters.discord.client import QABotClient
from adapters.discord.compat import first_connection_failed, point_at
from adapters.discord.connection import one_line_reconnects
from adapters.discord.sharded import IDENTIFY_SPACING, ShardedQABotClient
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import DiscordSettings, Settings

__all__ = ["build_discord_client", "configure_endpoints", "run_discord"]

log = logging.getLogger("qabot.discord")

# How long the gateway may stay out of reach: at start-up, and after a connection was lost.
START_WITHIN = 60.0
GIVE_UP_AFTER = 600.0
BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN: in the Developer Portal open your application > Bot > "
    "Reset Token, and set DISCORD_TOKEN to the new token."
)
# The gateway's close code for a bot in too many guilds for its shards (2,500 per shard).
SHARDING_REQUIRED = 4011
NO_MESSAGE_CONTENT = (
    "[discord] message_content is true but the application may not use the Message Content "
    "intent: in the Developer Portal open your application > Bot > Privileged Gateway Intents "
    "and switch on Message Content Intent, or set message_content = false (answers then come "
    "from the Answer button)."
)


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at ``api_base_url``/``gateway_url`` (a fake in tests, a proxy elsewhere);
    process-wide (see `compat.point_at`)."""
    point_at(api_base_url=settings.api_base_url, gateway_url=settings.gateway_url)


def build_discord_client(
    *,
    settings: Settings,
    service: QAService,
    guild_ready_timeout: float = 2.0,
    identify_spacing: float = IDENTIFY_SPACING,
) -> QABotClient:
    """The client, its intents and its commands; endpoints set from settings. Not yet started.

    With `[discord] shard_count` set, a sharded client that connects the shards this process
    owns (`identify_spacing` seconds apart); otherwise discord.py's single connection."""
    configure_endpoints(settings.discord)
    if settings.discord.shard_count:
        return ShardedQABotClient(
            settings=settings,
            service=service,
            guild_ready_timeout=guild_ready_timeout,
            identify_spacing=identify_spacing,
        )
    return QABotClient(settings=settings, service=service, guild_ready_timeout=guild_ready_timeout)


async def run_discord(
    settings: Settings,
    service: QAService,
    *,
    start_within: float = START_WITHIN,
    give_up_after: float = GIVE_UP_AFTER,
) -> None:
    """Run until cancelled; a wrong token, a refused intent or a Discord out of reach raises
    SettingsError saying why and what to do."""
    if not settings.secrets.discord_token:
        raise SettingsError("[discord] is enabled but DISCORD_TOKEN is not set")
    one_line_reconnects()
    client = build_discord_client(settings=settings, service=service)
    try:
        async with client:
            await _run_watched(client, settings.secrets.discord_token, start_within, give_up_after)
    except discord.LoginFailure:
        raise SettingsError(BAD_TOKEN) from None
    except discord.PrivilegedIntentsRequired:
        raise SettingsError(NO_MESSAGE_CONTENT) from None
    except AttributeError as error:
        if not first_connection_failed(client, error):
            raise
        raise client.gateway_watch.unreachable() from None
    except discord.ConnectionClosed as error:
        raise SettingsError(_closed(error)) from None
    except discord.HTTPException as error:
        raise SettingsError(
            f"Discord refused a start-up request ({error.status} {error.text or 'no reason'}): "
            "try again later, or check [discord] api_base_url"
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise SettingsError(
            f"cannot reach Discord at {settings.discord.api_base_url} ({type(error).__name__}): "
            "check [discord] api_base_url and the network"
        ) from None


async def _run_watched(
    client: QABotClient, token: str, start_within: float, give_up_after: float
) -> None:
    """`client.start`, ended by the gateway watch when Discord stays out of reach."""
    watch = client.gateway_watch.until_lost(start_within=start_within, give_up_after=give_up_after)
    tasks = [asyncio.create_task(client.start(token)), asyncio.create_task(watch)]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)


def _closed(error: discord.ConnectionClosed) -> str:
    if error.code == SHARDING_REQUIRED:
        return (
            "Discord requires this bot to be sharded (it is in too many servers for one "
            "connection): set [discord] shard_count (see docs/discord.md), then start qabot again"
        )
    reason = f": {error.reason}" if error.reason else ""
    return (
        f"Discord closed the gateway connection (code {error.code}{reason}) and will not take it "
        "back: check DISCORD_TOKEN and the [discord] settings, then start qabot again"
    )
