"""Slack payloads -> platform-neutral values, with no I/O: the adapter's edge, testable alone.

Every function takes the dict bolt hands a listener and returns a frozen value (or None for
something the bot does not act on), so no payload dict travels further than the listener's first
lines. Slack escapes `&`, `<` and `>` in the text it sends; the values carry plain text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.commands import parse_ask
from bot.domain import MessageRef, WorkspaceRef

__all__ = [
    "ANSWER_ACTION",
    "ANSWER_FORM",
    "ASK_FORM",
    "SHARE_TOP_ACTION",
    "AnswerForm",
    "AskForm",
    "ButtonClick",
    "MessageDeleted",
    "MessageEdited",
    "Reaction",
    "SlashCommand",
    "ThreadReply",
    "parse_answer_form",
    "parse_ask_form",
    "parse_ask_text",
    "parse_click",
    "parse_command",
    "parse_message_event",
    "parse_reaction",
    "thread_key",
    "unescape",
    "workspace_of",
]

PLATFORM = "slack"
ASK_FORM = "qabot_ask_form"
ANSWER_FORM = "qabot_answer_form"
ANSWER_ACTION = "qabot_answer"
SHARE_TOP_ACTION = "qabot_share_top"

# Subtypes that are still a person writing in a thread; every other subtype (joins, bot
# messages, topic changes ...) is not an answer.
_REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}
# What a slash command's `channel_name` says where a conversation has no name of its own.
_PLACEHOLDER_NAMES = {"directmessage", "privategroup"}

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ThreadReply:
    user_id: str
    text: str
    message: MessageRef
    thread_key: str


@dataclass(frozen=True, slots=True)
class MessageEdited:
    message: MessageRef
    text: str


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    message: MessageRef


@dataclass(frozen=True, slots=True)
class Reaction:
    user_id: str
    emoji: str
    message: MessageRef
    added: bool


@dataclass(frozen=True, slots=True)
class SlashCommand:
    workspace: WorkspaceRef
    channel_id: str
    user_id: str
    user_name: str
    text: str
    trigger_id: str
    channel_name: str | None = None  # None in a DM or where Slack sends a placeholder


@dataclass(frozen=True, slots=True)
class ButtonClick:
    workspace: WorkspaceRef
    channel_id: str
    user_id: str
    value: str
    trigger_id: str


@dataclass(frozen=True, slots=True)
class AskForm:
    workspace: WorkspaceRef
    user_id: str
    channel_id: str
    text: str
    tags: tuple[str, ...]
    anonymous: bool


@dataclass(frozen=True, slots=True)
class AnswerForm:
    workspace: WorkspaceRef
    user_id: str
    channel_id: str
    question: str
    text: str


def unescape(text: str) -> str:
    """Slack sends `&amp;`, `&lt;`, `&gt;`; people typed `&`, `<`, `>`."""
    return html.unescape(text)


def workspace_of(body: Payload) -> WorkspaceRef:
    """The team of an event, command or interaction (each payload kind puts it elsewhere)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    if not team:
        team = (body.get("user") or {}).get("team_id", "")
    return WorkspaceRef(PLATFORM, str(team))


def thread_key(channel_id: str, ts: str) -> str:
    # A ts is unique within a channel only, so the channel is part of the key.
    return f"{channel_id}/{ts}"


def parse_message_event(event: Payload) -> ThreadReply | MessageEdited | MessageDeleted | None:
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype == "message_changed":
        return _edited(channel, event.get("message") or {})
    if subtype == "message_deleted":
        deleted = event.get("deleted_ts")
        return MessageDeleted(MessageRef(channel, str(deleted))) if deleted else None
    if subtype not in _REPLY_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return None
    ts, parent = str(event.get("ts", "")), event.get("thread_ts")
    if not parent or parent == ts:
        return None  # a top-level message, not a reply in a thread
    return ThreadReply(
        user_id=str(event["user"]),
        text=unescape(str(event.get("text", ""))),
        message=MessageRef(channel, ts),
        thread_key=thread_key(channel, str(parent)),
    )


def _edited(channel: str, message: Payload) -> MessageEdited | None:
    # Only people's replies become answers; the bot's own edits (and other bots') are not edits
    # of anything the board keeps, and a thread parent is never an answer.
    if message.get("bot_id") or not message.get("user"):
        return None
    ts, parent = str(message.get("ts", "")), message.get("thread_ts")
    if not parent or parent == ts:
        return None
    return MessageEdited(MessageRef(channel, ts), unescape(str(message.get("text", ""))))


def parse_reaction(event: Payload) -> Reaction | None:
    item = event.get("item") or {}
    if item.get("type") != "message" or not event.get("user") or not event.get("reaction"):
        return None  # reactions on files and file comments are not votes
    return Reaction(
        user_id=str(event["user"]),
        emoji=str(event["reaction"]),
        message=MessageRef(str(item.get("channel", "")), str(item.get("ts", ""))),
        added=event.get("type") == "reaction_added",
    )


def parse_ask_text(text: str) -> tuple[str, bool]:
    """The question without the `--anon` flag, and whether it was there (the core's rule)."""
    return parse_ask(unescape(text))


def parse_command(body: Payload) -> SlashCommand:
    return SlashCommand(
        workspace=workspace_of(body),
        channel_id=str(body.get("channel_id", "")),
        user_id=str(body.get("user_id", "")),
        user_name=str(body.get("user_name", "")),
        text=str(body.get("text", "")),
        trigger_id=str(body.get("trigger_id", "")),
        channel_name=_channel_name(body),
    )


def _channel_name(body: Payload) -> str | None:
    """The channel's name, as a command's payload gives it; Slack's placeholders for direct
    messages and (in older workspaces) private channels name nothing."""
    name = str(body.get("channel_name") or "")
    return None if name in _PLACEHOLDER_NAMES or name.startswith("mpdm-") else name or None


def parse_click(body: Payload) -> ButtonClick:
    """A button on a message: who clicked where, and the button's value."""
    actions = body.get("actions") or [{}]
    return ButtonClick(
        workspace=workspace_of(body),
        channel_id=str((body.get("channel") or {}).get("id", "")),
        user_id=_user_id(body),
        value=str(actions[0].get("value") or "").strip(),
        trigger_id=str(body.get("trigger_id", "")),
    )


def parse_ask_form(body: Payload) -> AskForm:
    view = body.get("view") or {}
    values = _state(view)
    tags = tuple(t for t in re.split(r"[\s,]+", values.get("tags", "")) if t)
    return AskForm(
        workspace=workspace_of(body),
        user_id=_user_id(body),
        channel_id=str(view.get("private_metadata", "")),
        text=values.get("question", ""),
        tags=tags,
        anonymous=bool(values.get("anonymous")),
    )


def parse_answer_form(body: Payload) -> AnswerForm:
    view = body.get("view") or {}
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        meta = {}
    return AnswerForm(
        workspace=workspace_of(body),
        user_id=_user_id(body),
        channel_id=str(meta.get("channel", "")),
        question=str(meta.get("question", "")),
        text=_state(view).get("answer", ""),
    )


def _user_id(body: Payload) -> str:
    return str((body.get("user") or {}).get("id", ""))


def _state(view: Payload) -> dict[str, str]:
    """`view.state.values` as {block_id: text}; checkboxes become "1" when ticked."""
    out: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action in actions.values():
            if action.get("type") == "checkboxes":
                out[block_id] = "1" if action.get("selected_options") else ""
            else:
                out[block_id] = str(action.get("value") or "")
    return out
