"""What the bot's process and its page processes say to each other over the child's stdin and
stdout: length-prefixed pickles of the values below, in both directions, each list ask carrying
an id that its answer repeats. Both ends are qabot, started together from the same install, so
pickle carries exactly the values sent and nothing else ever writes to these pipes.

- bot → page process: `Serve` (first, once), then `ListDone`s.
- page process → bot: `Started` or `Failed` (once), then `ListAsk`s.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
from dataclasses import dataclass

from bot.settings import Settings

__all__ = [
    "Failed",
    "ListAsk",
    "ListDone",
    "Serve",
    "Started",
    "frame",
    "read_message",
]

_LENGTH = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class Serve:
    """Serve the web view of `settings` on `listeners`: the listening sockets of `[web]` host and
    port, file descriptors inherited from the bot's process. A request for one of `bot_paths`
    (the `[ops]` paths, when they share the port) is passed on to the bot's process, which
    serves them on the Unix socket `bot_socket`."""

    settings: Settings
    listeners: tuple[int, ...]
    bot_socket: str = ""
    bot_paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Started:
    pass


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str  # one line, for the bot's log


@dataclass(frozen=True, slots=True)
class ListAsk:
    """Keep question `number`'s similar list for the published channels: the page process
    reads only, so the bot's process makes it, then answers `ListDone`."""

    ask_id: int
    platform: str
    workspace: str
    number: int


@dataclass(frozen=True, slots=True)
class ListDone:
    ask_id: int


def frame(message: object) -> bytes:
    """`message` as it is written to the pipe."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


async def read_message(reader: asyncio.StreamReader) -> object | None:
    """The next message, or None once the other end has closed its side."""
    try:
        (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
        message: object = pickle.loads(await reader.readexactly(length))
    except asyncio.IncompleteReadError:
        return None
    return message
