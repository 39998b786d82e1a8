"""Sends requests to the app's HTTP endpoint the way Slack does: signed with the v0 scheme.

Slash commands are form-encoded, Events API callbacks are JSON, interactivity is one ``payload=``
form field holding JSON. The signature comes from slack_sdk's own ``SignatureVerifier`` so the test
and bolt agree on the scheme by construction, not by a copy of it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "fake-signing-secret-0123456789abcdef"


@dataclass(frozen=True)
class Reply:
    """What the app answered over HTTP."""

    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class SignedClient:
    def __init__(self, url: str, *, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self._verifier = SignatureVerifier(secret)
        self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        await self._session.close()

    def headers(
        self, body: str, *, content_type: str, timestamp: int | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=ts, body=body)
        assert signature is not None
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        }

    async def post_raw(self, body: str, headers: dict[str, str]) -> Reply:
        async with self._session.post(self.url, data=body.encode(), headers=headers) as resp:
            return Reply(resp.status, await resp.text(), dict(resp.headers))

    async def command(self, fields: dict[str, str], *, timestamp: int | None = None) -> Reply:
        body = urlencode(fields)
        form = "application/x-www-form-urlencoded"
        return await self.post_raw(body, self.headers(body, content_type=form, timestamp=timestamp))

    async def event(
        self,
        envelope: dict[str, Any],
        *,
        retry_num: int | None = None,
        timestamp: int | None = None,
    ) -> Reply:
        body = json.dumps(envelope)
        headers = self.headers(body, content_type="application/json", timestamp=timestamp)
        if retry_num is not None:
            # Slack marks redeliveries with these headers; the body (and event_id) is the same.
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post_raw(body, headers)

    async def interaction(self, payload: dict[str, Any], *, timestamp: int | None = None) -> Reply:
        body = urlencode({"payload": json.dumps(payload)})
        form = "application/x-www-form-urlencoded"
        return await self.post_raw(body, self.headers(body, content_type=form, timestamp=timestamp))
