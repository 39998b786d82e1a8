"""What the Slack benchmarks send: signed requests in Slack's own wire format.

The shapes follow Slack's documentation of slash commands (form fields) and the Events API
`reaction_added` envelope; the signature is slack_sdk's own v0 scheme, so the bot's bolt app and
this load agree on it by construction.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from slack_sdk.signature import SignatureVerifier

__all__ = [
    "APP_TOKEN",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "SIGNING_SECRET",
    "TEAM_ID",
    "reaction_envelope",
    "signed_headers",
    "slash_fields",
]

BOT_TOKEN = "xoxb-bench-bot-token"
APP_TOKEN = "xapp-bench-app-token"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
TEAM_ID = "T0BENCH001"
BOT_USER_ID = "U0BENCHBOT"
_APP_ID = "A0BENCH001"

_event_ids = itertools.count(1)


def slash_fields(
    command: str, text: str, *, user: str, channel: str, response_url: str, team: str = TEAM_ID
) -> dict[str, str]:
    return {
        "token": "bench-verification-token",
        "team_id": team,
        "team_domain": "bench",
        "channel_id": channel,
        "channel_name": "bench",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": _APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{next(_event_ids)}.bench",
    }


def reaction_envelope(
    *, user: str, name: str, ts: str, channel: str, team: str = TEAM_ID
) -> dict[str, Any]:
    event_time = int(time.time())
    return {
        "token": "bench-verification-token",
        "team_id": team,
        "api_app_id": _APP_ID,
        "event": {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "item": {"type": "message", "channel": channel, "ts": ts, "channel_type": "channel"},
            "event_ts": f"{event_time}.000100",
        },
        "type": "event_callback",
        "event_id": f"Ev{next(_event_ids):09d}",
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def signed_headers(body: str, *, content_type: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
