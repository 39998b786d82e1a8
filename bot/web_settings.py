"""`[web]` settings, what they publish, and the web view's URLs.

Nothing is published unless `[web] channels` lists it: `"platform:workspace:channel"`, or
`"platform:workspace:*"` for every public channel of a workspace. A private channel is never
published, listed or not. The paths are built here so that chat (`/qa link`, `/top`) and the
site agree on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.domain import Question, WorkspaceRef
from bot.errors import SettingsError

__all__ = [
    "ALL_CHANNELS",
    "WebSettings",
    "answer_anchor",
    "base_url",
    "channel_path",
    "is_published",
    "published",
    "published_channels",
    "question_path",
    "slug",
]

ALL_CHANNELS = "*"
_PLATFORMS = ("slack", "discord", "console")
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SLUG_WORDS = 8


@dataclass(frozen=True)
class WebSettings:
    # The public, read-only site: one page per published question, channel and tag pages, search.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # base of canonical URLs and chat links; empty: http://host:port
    channels: tuple[str, ...] = ()  # "platform:workspace:channel" or "platform:workspace:*"
    names: Literal["headline", "name", "none"] = "headline"
    title: str = "qabot"
    # Processes that build the pages beside the bot's, so that pages take no time from the votes
    # on its event loop; 0: that loop builds them.
    workers: int = 1

    def __post_init__(self) -> None:
        for entry in self.channels:
            _parse_channel(entry)
        url = self.public_url
        if url and (not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url) or "@" in url):
            raise SettingsError(
                f"[web] public_url must be empty or like https://answers.example.org, got {url!r}"
            )
        if not self.title.strip() or len(self.title) > 80:
            raise SettingsError("[web] title must be 1 to 80 characters")


def _parse_channel(entry: str) -> tuple[WorkspaceRef, str]:
    parts = entry.split(":")
    if (
        len(parts) != 3
        or parts[0] not in _PLATFORMS
        or not _ID.fullmatch(parts[1])
        or not (parts[2] == ALL_CHANNELS or _ID.fullmatch(parts[2]))
    ):
        raise SettingsError(
            '[web] channels entries look like "slack:T0123:C0456" or "discord:81384:*", '
            f"got {entry!r}"
        )
    return WorkspaceRef(parts[0], parts[1]), parts[2]


def published(settings: WebSettings) -> dict[WorkspaceRef, frozenset[str]]:
    """The published channel ids of each workspace; `*` stands for every public channel."""
    found: dict[WorkspaceRef, set[str]] = {}
    for entry in settings.channels:
        workspace, channel = _parse_channel(entry)
        found.setdefault(workspace, set()).add(channel)
    return {workspace: frozenset(ids) for workspace, ids in found.items()}


def published_channels(
    published: Mapping[WorkspaceRef, frozenset[str]], workspace: WorkspaceRef
) -> frozenset[str] | None:
    """A workspace's published channels (of `published(settings)`) as the store's reads for the
    web view take them: None for every public one (`*`)."""
    channels = published.get(workspace, frozenset())
    return None if ALL_CHANNELS in channels else channels


def is_published(settings: WebSettings, question: Question, *, hidden: bool) -> bool:
    """Whether the site shows `question`: live, public, in a listed channel, not hidden."""
    if question.removed or question.channel_private or hidden:
        return False
    channels = published(settings).get(question.workspace, frozenset())
    return ALL_CHANNELS in channels or question.channel_id in channels


def base_url(settings: WebSettings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def slug(text: str) -> str:
    """A readable, ASCII path part from a question's first words: `how-do-i-negotiate`."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", flat)[:_SLUG_WORDS]
    return "-".join(words) or "question"


def question_path(question: Question) -> str:
    ws = question.workspace
    return f"/q/{ws.platform}/{ws.workspace_id}/{question.number}/{slug(question.text)}"


def answer_anchor(number: int) -> str:
    """The fragment of an answer on its question's page: `a7`."""
    return f"a{number}"


def channel_path(workspace: WorkspaceRef, channel_id: str) -> str:
    return f"/c/{workspace.platform}/{workspace.workspace_id}/{channel_id}"
