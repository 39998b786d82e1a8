"""Channel names as the adapters see them in commands, recorded for the web view's `#name`.

Many commands come from the same few channels: the store hears of a name only when this process
has not recorded it yet (or it changed), so a command in a known channel costs a dict lookup.
A channel known to be private is never named, and recording never fails a command.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from bot.domain import ChannelRef, WorkspaceRef
from bot.ports import Store

__all__ = ["MAX_NAME_CHARS", "ChannelNames"]

log = logging.getLogger("qabot.service")

MAX_NAME_CHARS = 100  # Discord's longest; Slack's are at most 80
_REMEMBERED = 10_000


class ChannelNames:
    def __init__(self, store: Store, *, remembered: int = _REMEMBERED) -> None:
        self._store = store
        self._recorded: OrderedDict[tuple[WorkspaceRef, str], str] = OrderedDict()
        self._remembered = remembered

    async def saw(self, channel: ChannelRef, name: str | None) -> None:
        """Record that `channel` is called `name` now (with or without its `#`)."""
        shown = (name or "").strip().removeprefix("#")
        if channel.is_private or not _is_name(shown):
            return
        key = (channel.workspace, channel.channel_id)
        if self._recorded.get(key) == shown:
            self._recorded.move_to_end(key)
            return
        try:
            await self._store.set_channel_name(channel.workspace, channel.channel_id, shown)
        except Exception as error:  # the web view shows the id meanwhile; the command goes on
            log.warning("could not record a channel name: %s", type(error).__name__)
            return
        self._recorded[key] = shown
        self._recorded.move_to_end(key)
        if len(self._recorded) > self._remembered:
            self._recorded.popitem(last=False)


def _is_name(text: str) -> bool:
    return 0 < len(text) <= MAX_NAME_CHARS and text.isprintable()
