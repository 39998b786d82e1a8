"""The Slack adapter: slack-bolt listeners that turn Slack into `QAService` calls.

`run_slack` is what `qabot run` awaits. slack_bolt, slack_sdk and aiohttp are imported only when
it is called, so a console-only install can import this package. Inside the package: `translate`
(payloads -> values), `render` and `surfacing` (values -> Block Kit), `context`, `events`,
`commands` and `catchup` (the listeners' work), `app` (the bolt app), `runtime` (token check and
transport) and `compat` (the only module that touches the libraries' internals).
"""

from __future__ import annotations

from bot.service import QAService
from bot.settings import Settings

__all__ = ["run_slack"]


async def run_slack(settings: Settings, service: QAService) -> None:
    """Serve Slack until cancelled; raises SettingsError if it cannot start."""
    from adapters.slack.runtime import run_slack as run

    await run(settings, service)
