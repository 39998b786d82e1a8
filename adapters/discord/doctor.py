"""`qabot doctor` for Discord: the token logs in (`users/@me`), the application may use the
Message Content intent when `[discord] message_content` asks for it, and each Discord digest
channel can be seen by the bot."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.doctor import Check
from bot.settings import Settings

__all__ = ["check_discord"]

TOKEN = "discord token"
# Application flags: the Message Content intent granted (verified apps) or limited (others).
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)


async def check_discord(settings: Settings) -> list[Check]:
    base = settings.discord.api_base_url.rstrip("/")
    headers = {"Authorization": f"Bot {settings.secrets.discord_token}"}
    async with aiohttp.ClientSession(
        headers=headers, timeout=aiohttp.ClientTimeout(total=10)
    ) as session:
        try:
            status, me = await _get(session, f"{base}/users/@me")
            if status == 401:
                fix = "reset the token in the Developer Portal (Bot > Reset Token)"
                return [Check(False, TOKEN, f"Discord rejected DISCORD_TOKEN: {fix}")]
            _, application = await _get(session, f"{base}/oauth2/applications/@me")
            channels = [await _channel(session, base, e) for e in _digest_channels(settings)]
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            where = f"cannot reach Discord at {base} ({type(error).__name__})"
            return [Check(False, TOKEN, f"{where}: check [discord] api_base_url and the network")]
    return [_token(settings, me, application), *channels]


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with session.get(url) as response:
        return response.status, await response.json() if response.status == 200 else None


def _token(settings: Settings, me: Any, application: Any) -> Check:
    name = me.get("username", "?") if isinstance(me, dict) else "?"
    flags = int(application.get("flags") or 0) if isinstance(application, dict) else 0
    if settings.discord.message_content and not flags & MESSAGE_CONTENT_FLAGS:
        fix = (
            "switch on Message Content Intent under Bot > Privileged Gateway Intents, or set "
            "[discord] message_content = false"
        )
        return Check(False, TOKEN, f"logs in as {name}, but may not read messages: {fix}")
    intents = "with Message Content" if settings.discord.message_content else "no privileged"
    return Check(True, TOKEN, f"logs in as {name}; intents: {intents}")


def _digest_channels(settings: Settings) -> list[str]:
    return [entry for entry in settings.digest.channels if entry.startswith("discord:")]


async def _channel(session: aiohttp.ClientSession, base: str, entry: str) -> Check:
    what = f"digest channel {entry}"
    channel = entry.rsplit(":", 1)[-1]
    status, _ = await _get(session, f"{base}/channels/{channel}")
    if status != 200:
        return Check(
            False,
            what,
            f"the bot cannot see it (HTTP {status}): invite the bot or fix [digest] channels",
        )
    return Check(True, what, "the bot can see it")
