"""Running the Discord adapter: build the discord.py client from settings and the core, and run
it until cancelled, turning a refused token or intent into one `SettingsError` line.
"""

from __future__ import annotations

import logging

import discord

from adapters.discord.client import QABotClient
from adapters.discord.compat import point_at
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import DiscordSettings, Settings

__all__ = ["build_discord_client", "configure_endpoints", "run_discord"]

log = logging.getLogger("qabot.discord")

BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN: in the Developer Portal open your application > Bot > "
    "Reset Token, and set DISCORD_TOKEN to the new token."
)
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
    *, settings: Settings, service: QAService, guild_ready_timeout: float = 2.0
) -> QABotClient:
    """The client, its intents and its commands; endpoints set from settings. Not yet started."""
    configure_endpoints(settings.discord)
    return QABotClient(settings=settings, service=service, guild_ready_timeout=guild_ready_timeout)


async def run_discord(settings: Settings, service: QAService) -> None:
    """Run until cancelled; a wrong token or a refused intent raises SettingsError saying why."""
    if not settings.secrets.discord_token:
        raise SettingsError("[discord] is enabled but DISCORD_TOKEN is not set")
    client = build_discord_client(settings=settings, service=service)
    try:
        async with client:
            await client.start(settings.secrets.discord_token)
    except discord.LoginFailure:
        raise SettingsError(BAD_TOKEN) from None
    except discord.PrivilegedIntentsRequired:
        raise SettingsError(NO_MESSAGE_CONTENT) from None
