"""Slack payloads for tests, built from the documented shapes in ``payloads/``.

The JSON files are copies of shared/platform-payloads/slack/ (CI must not depend on shared/). Each
builder starts from a fixture and changes only the fields a test cares about, so the rest of the
shape stays what Slack documents.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from tests.adapters.slack.fake_slack import CHANNEL_ID, TEAM_ID

PAYLOADS = Path(__file__).parent / "payloads"
_event_ids = itertools.count(1000)
_ts = itertools.count(1)

Json = dict[str, Any]


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def load(name: str) -> Json:
    """A fixture without its ``_source``/``_notes`` keys."""
    stripped: Json = _strip(json.loads((PAYLOADS / f"{name}.json").read_text()))
    return stripped


def user_ts() -> str:
    """A fresh ts for a message a (fake) human posts; distinct from the fake server's bot ts."""
    return f"1700100000.{next(_ts):06d}"


def slash(
    command: str,
    text: str,
    *,
    user: str = "U222222222",
    channel: str = CHANNEL_ID,
    channel_name: str = "general",
    response_url: str,
) -> dict[str, str]:
    fields = load("slash_command")
    fields.update(
        command=command,
        text=text,
        user_id=user,
        user_name=user.lower(),
        channel_id=channel,
        channel_name=channel_name,
        response_url=response_url,
    )
    return {k: str(v) for k, v in fields.items()}


def envelope(event: Json, *, event_id: str | None = None) -> Json:
    body = load("event_reaction_added")
    body["event"] = event
    body["event_id"] = event_id or f"Ev{next(_event_ids):09d}"
    return body


def reaction(
    *,
    added: bool = True,
    user: str,
    name: str,
    ts: str,
    item_user: str | None = None,
    channel: str = CHANNEL_ID,
) -> Json:
    event = copy.deepcopy(
        load("event_reaction_added" if added else "event_reaction_removed")["event"]
    )
    event.update(user=user, reaction=name, item={"type": "message", "channel": channel, "ts": ts})
    if added:
        event["item"]["channel_type"] = "channel"
    if item_user is None:
        event.pop("item_user", None)
    else:
        event["item_user"] = item_user
    return envelope(event)


def thread_reply(
    *, user: str, text: str, thread_ts: str, ts: str | None = None, channel: str = CHANNEL_ID
) -> Json:
    event = load("event_message_thread_reply")["event"]
    ts = ts or user_ts()
    event.update(user=user, text=text, thread_ts=thread_ts, ts=ts, event_ts=ts, channel=channel)
    return envelope(event)


def message_changed(
    *, user: str, text: str, ts: str, thread_ts: str | None = None, channel: str = CHANNEL_ID
) -> Json:
    event = load("event_message_changed")["event"]
    edit_ts = user_ts()
    event.update(channel=channel, ts=edit_ts, event_ts=edit_ts)
    event["message"].update(user=user, text=text, ts=ts, edited={"user": user, "ts": edit_ts})
    event["previous_message"].update(user=user, ts=ts)
    if thread_ts:
        event["message"]["thread_ts"] = thread_ts
        event["previous_message"]["thread_ts"] = thread_ts
    return envelope(event)


def message_deleted(
    *, user: str, ts: str, thread_ts: str | None = None, channel: str = CHANNEL_ID
) -> Json:
    event = load("event_message_deleted")["event"]
    delete_ts = user_ts()
    event.update(channel=channel, ts=delete_ts, event_ts=delete_ts, deleted_ts=ts)
    event["previous_message"].update(user=user, ts=ts)
    if thread_ts:
        event["previous_message"]["thread_ts"] = thread_ts
    return envelope(event)


def block_action(
    *,
    action_id: str,
    value: str,
    user: str = "U222222222",
    message_ts: str,
    response_url: str,
    channel: str = CHANNEL_ID,
) -> Json:
    body = load("block_actions")
    body["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=TEAM_ID)
    body["container"].update(message_ts=message_ts, channel_id=channel)
    body["channel"]["id"] = channel
    body["message"]["ts"] = message_ts
    body["response_url"] = response_url
    body["actions"][0].update(action_id=action_id, value=value)
    return body


def view_submission(
    *, callback_id: str, values: Json, private_metadata: str = "", user: str = "U222222222"
) -> Json:
    """``values`` is ``view.state.values`` as Slack sends it: ``{block_id: {action_id: {...}}}``."""
    body = load("view_submission")
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["view"].update(callback_id=callback_id, private_metadata=private_metadata)
    body["view"]["state"]["values"] = values
    return body
