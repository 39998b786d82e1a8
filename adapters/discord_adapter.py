"""Discord adapter: build the discord.py client from settings and the core, and run it.

This module imports discord.py only inside its functions, so ``bot.cli`` may import it on a
console-only install; the client itself lives in ``discord_client`` (commands in
``discord_commands``/``discord_qa``, embeds in ``discord_render``, translation in
``discord_translate``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import DiscordSettings, Settings

if TYPE_CHECKING:
    from adapters.discord_client import QABotClient

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
    """Point discord.py at ``api_base_url``/``gateway_url`` (a fake in tests, a proxy elsewhere).

    discord.py has no option for these: they are class attributes, so this is process-wide.
    """
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def build_discord_client(
    *, settings: Settings, service: QAService, guild_ready_timeout: float = 2.0
) -> QABotClient:
    """The client, its intents and its commands; endpoints set from settings. Not yet started."""
    from adapters.discord_client import QABotClient

    configure_endpoints(settings.discord)
    return QABotClient(settings=settings, service=service, guild_ready_timeout=guild_ready_timeout)


async def run_discord(settings: Settings, service: QAService) -> None:
    """Run until cancelled; a wrong token or a refused intent raises SettingsError saying why."""
    import discord

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
