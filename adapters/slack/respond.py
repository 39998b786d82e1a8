"""`respond` for the Slack listeners: a reply to a command's or a click's `response_url`.

bolt's own `AsyncRespond` opens an aiohttp session, an SSL context and a TCP connection per reply;
`SessionRespond` sends the same message to the same URL through the session of the bot's one Web
API client instead.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["SessionRespond", "response_body"]

# The fields `respond()` accepts besides `text`, in the order Slack's docs list them.
_LISTS = ("blocks", "attachments")
_OPTIONS = (
    "response_type",
    "replace_original",
    "delete_original",
    "unfurl_links",
    "unfurl_media",
    "thread_ts",
    "metadata",
)


def response_body(text: str = "", **fields: Any) -> dict[str, Any]:
    """The JSON body of a `response_url` message: `text` always, empty lists and unset options
    left out; a field `respond()` does not know is a TypeError, as it is for bolt's."""
    unknown = sorted(fields.keys() - {*_LISTS, *_OPTIONS})
    if unknown:
        raise TypeError(f"respond() got unexpected fields: {', '.join(unknown)}")
    body: dict[str, Any] = {"text": text}
    for key in _LISTS:
        if fields.get(key):
            body[key] = list(fields[key])
    for key in _OPTIONS:
        if fields.get(key) is not None:
            body[key] = fields[key]
    return body


class SessionRespond(AsyncRespond):
    """bolt's `respond` (same message, same URL), sent through the Web API client's session."""

    def __init__(self, *, response_url: str, client: AsyncWebClient) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        self._client = client

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        session = self._client.session
        hook = AsyncWebhookClient(
            url=str(self.response_url),
            proxy=self.proxy,
            ssl=self.ssl,
            session=session if session is not None and not session.closed else None,
        )
        whole = text if isinstance(text, dict) else {"text": text, **fields}
        return await hook.send_dict(response_body(**whole))
