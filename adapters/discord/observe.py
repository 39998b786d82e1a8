"""Timing Discord's slash commands for the metrics: the tree notes when each interaction reached
qabot, and the client reports the time once the command completes."""

from __future__ import annotations

import time
from typing import Any

import discord
from discord import app_commands

from bot.metrics import Metrics

__all__ = ["TimedTree", "report_command"]

_STARTED = "qabot_started"


class TimedTree(app_commands.CommandTree[Any]):
    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        interaction.extras[_STARTED] = time.perf_counter()
        return True


def report_command(metrics: Metrics, interaction: discord.Interaction[Any], command: str) -> None:
    started = interaction.extras.get(_STARTED)
    if isinstance(started, float):
        metrics.command("discord", command, time.perf_counter() - started)
