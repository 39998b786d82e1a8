"""The Discord adapter: a discord.py client whose events and commands turn into `QAService` calls.

`run_discord` is what `qabot run` awaits. discord.py is imported only when it is called, so a
console-only install can import this package. Inside the package: `translate` (events -> values),
`render` and `surfacing` (values -> embeds), `context`, `interact`, `commands`, `qa`, `components`
and `catchup` (the handlers' work), `client` (the discord.py client), `runtime` (start-up) and
`compat` (the only module that touches discord.py's internals).
"""

from __future__ import annotations

from bot.service import QAService
from bot.settings import Settings

__all__ = ["run_discord"]


async def run_discord(settings: Settings, service: QAService) -> None:
    """Run until cancelled; a wrong token or a refused intent raises SettingsError saying why."""
    from adapters.discord.runtime import run_discord as run

    await run(settings, service)
