"""The optional libraries each chat platform needs, and the one line that says how to add them.

A platform's libraries come with its pip extra (`.[slack]`, `.[discord]`); `qabot run` checks them
before it starts anything, so a missing one is a sentence naming the command, not an ImportError.
"""

from __future__ import annotations

import importlib.util

from bot.errors import SettingsError

__all__ = ["EXTRAS", "check_extra", "install_hint"]

# extra -> (the platform's name, {module: the pip distribution that provides it})
EXTRAS: dict[str, tuple[str, dict[str, str]]] = {
    "slack": (
        "Slack",
        {"slack_bolt": "slack-bolt", "slack_sdk": "slack-sdk", "aiohttp": "aiohttp"},
    ),
    "discord": ("Discord", {"discord": "discord.py"}),
    "web": ("The web view", {"aiohttp": "aiohttp", "aiohttp_jinja2": "aiohttp-jinja2"}),
    "ops": ("[ops]", {"aiohttp": "aiohttp", "prometheus_client": "prometheus-client"}),
}


def install_hint(extra: str) -> str:
    return f"from the clone run: .venv/bin/pip install '.[{extra}]'"


def check_extra(extra: str) -> None:
    """Raise SettingsError naming the missing library and the command that adds it."""
    platform, modules = EXTRAS[extra]
    for module, distribution in modules.items():
        if not _installed(module):
            raise SettingsError(
                f"{platform} is enabled but {distribution} is not installed; {install_hint(extra)}"
            )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-removed install
        return False
