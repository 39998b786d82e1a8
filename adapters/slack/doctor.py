"""`qabot doctor` for Slack: the bot token works and holds every scope the shipped manifest
asks for, and each Slack digest channel exists with the bot in it."""

from __future__ import annotations

from importlib import resources

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import make_web_client
from bot.doctor import Check
from bot.settings import Settings

__all__ = ["check_slack", "manifest_scopes"]

TOKEN = "slack token"


def manifest_scopes() -> list[str]:
    """The bot scopes `manifest.yaml` asks for, in its order (its `oauth_config.scopes.bot`)."""
    text = resources.files("adapters.slack").joinpath("manifest.yaml").read_text("utf-8")
    scopes: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if stripped == "bot:":
            inside = True
        elif inside and stripped.startswith("- "):
            scopes.append(stripped.removeprefix("- ").strip())
        elif inside and stripped:
            break
    return scopes


async def check_slack(settings: Settings) -> list[Check]:
    client = make_web_client(settings)
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "error")
        fix = "set SLACK_BOT_TOKEN to the Bot User OAuth Token of the Slack app"
        return [Check(False, TOKEN, f"Slack rejected SLACK_BOT_TOKEN ({reason}): {fix}")]
    except (aiohttp.ClientError, OSError) as error:
        where = f"cannot reach Slack at {client.base_url} ({type(error).__name__})"
        return [Check(False, TOKEN, f"{where}: check [slack] api_base_url and the network")]
    headers = {key.lower(): value for key, value in response.headers.items()}
    granted = {scope.strip() for scope in str(headers.get("x-oauth-scopes", "")).split(",")}
    missing = [scope for scope in manifest_scopes() if scope not in granted]
    team = str(response.get("team_id", ""))
    checks = [_scopes(team, missing)]
    return checks + [await _channel(client, entry) for entry in _digest_channels(settings)]


def _scopes(team: str, missing: list[str]) -> Check:
    if missing:
        fix = "add them under OAuth & Permissions in the Slack app (or reinstall it from "
        fix += "adapters/slack/manifest.yaml), then reinstall the app to the workspace"
        return Check(False, TOKEN, f"missing scopes {', '.join(missing)}: {fix}")
    return Check(True, TOKEN, f"valid for workspace {team}, with every scope the manifest asks")


def _digest_channels(settings: Settings) -> list[str]:
    return [entry for entry in settings.digest.channels if entry.startswith("slack:")]


async def _channel(client: AsyncWebClient, entry: str) -> Check:
    what = f"digest channel {entry}"
    channel = entry.rsplit(":", 1)[-1]
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as error:
        reason = error.response.get("error", "error")
        return Check(False, what, f"Slack says {reason}: fix [digest] channels")
    if not (response.get("channel") or {}).get("is_member"):
        return Check(False, what, f"the bot is not in it: /invite the bot to {channel}")
    return Check(True, what, "the bot can post there")
