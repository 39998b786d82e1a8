"""`python -m bench.ready URL`: what `qabot run` does before serving, then prints `ready`.

Imports both adapters, opens (and migrates) the store, builds the service, the Slack app and the
Discord client; no network. The parent times this process from spawn to `ready`.
"""

from __future__ import annotations

import asyncio
import sys


async def main(url: str) -> None:
    from adapters.discord.runtime import build_discord_client
    from adapters.slack.app import build_slack_bot
    from bot.service import QAService
    from bot.settings import Secrets, Settings
    from storage import open_store

    settings = Settings(secrets=Secrets(slack_bot_token="xoxb-ready", slack_signing_secret="s"))
    store = await open_store(url)
    service = QAService(store=store, settings=settings)
    build_slack_bot(settings=settings, service=service)
    build_discord_client(settings=settings, service=service)
    print("ready", flush=True)
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
