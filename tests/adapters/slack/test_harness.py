"""The harness itself: the fake Web API answers like Slack; signed requests reach a real bolt app.

If these fail, the adapter tests' failures mean nothing, so they run first and stay small.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.adapters.slack import builders
from tests.adapters.slack.conftest import Serve
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_USER_ID, CHANNEL_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET


async def test_post_message_returns_growing_string_ts(web_client: AsyncWebClient) -> None:
    first = await web_client.chat_postMessage(channel=CHANNEL_ID, text="one")
    second = await web_client.chat_postMessage(
        channel=CHANNEL_ID, text="two", thread_ts=first["ts"]
    )
    assert isinstance(first["ts"], str)
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]


async def test_calls_are_recorded_with_their_params(
    web_client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    await web_client.chat_postMessage(channel=CHANNEL_ID, text="hi", blocks=blocks)
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert call.params["blocks"] == blocks
    assert fake_slack.posted(CHANNEL_ID)[0]["text"] == "hi"


async def test_unknown_channel_is_channel_not_found(web_client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await web_client.chat_postMessage(channel="CNOPE00000", text="x")
    assert caught.value.response["error"] == "channel_not_found"


async def test_wrong_token_is_invalid_auth(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    assert caught.value.response["error"] == "invalid_auth"


async def test_auth_test_names_the_bot(web_client: AsyncWebClient) -> None:
    result = await web_client.auth_test()
    assert result["user_id"] == BOT_USER_ID


async def test_rate_limited_call_succeeds_after_retry_after(
    web_client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit_next("chat.postMessage", 1, retry_after=0)
    result = await web_client.chat_postMessage(channel=CHANNEL_ID, text="eventually")
    assert result["ok"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


async def test_scripted_error_answers_once(
    web_client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.update", "message_not_found")
    with pytest.raises(SlackApiError):
        await web_client.chat_update(channel=CHANNEL_ID, ts="1.2", text="x")


async def test_thread_and_reactions_read_back(
    web_client: AsyncWebClient, fake_slack: FakeSlack
) -> None:
    parent = await web_client.chat_postMessage(channel=CHANNEL_ID, text="q")
    await web_client.chat_postMessage(channel=CHANNEL_ID, text="a", thread_ts=parent["ts"])
    fake_slack.reactions[(CHANNEL_ID, parent["ts"])]["+1"] = ["U1", "U2"]
    replies = await web_client.conversations_replies(channel=CHANNEL_ID, ts=parent["ts"])
    got = await web_client.reactions_get(channel=CHANNEL_ID, timestamp=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["q", "a"]
    assert got["message"]["reactions"][0]["count"] == 2


def _echo_app(fake: FakeSlack, seen: list[Any]) -> AsyncApp:
    client = AsyncWebClient(token="xoxb-fake-bot-token", base_url=fake.api_url)
    app = AsyncApp(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/ask")
    async def ask(ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()
        seen.append(command["text"])
        await respond(f"got {command['text']}")

    @app.event("reaction_added")
    async def reacted(ack: Any, event: dict[str, Any]) -> None:
        await ack()
        seen.append(event["reaction"])

    @app.action("mark_answered")
    async def clicked(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        seen.append(body["actions"][0]["value"])

    return app


async def _until(predicate: Any, *, within: float = 3) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_signed_requests_reach_a_real_bolt_app(fake_slack: FakeSlack, serve: Serve) -> None:
    seen: list[Any] = []
    client = await serve(_echo_app(fake_slack, seen))
    url = fake_slack.response_url("ask")
    assert (await client.command(builders.slash("/ask", "hello", response_url=url))).status == 200
    event = builders.reaction(user="U222222222", name="+1", ts="1.000001")
    assert (await client.event(event)).status == 200
    click = builders.block_action(
        action_id="mark_answered", value="yes", message_ts="1.1", response_url=url
    )
    assert (await client.interaction(click)).status == 200
    await _until(lambda: len(seen) == 3 and fake_slack.responses)
    assert seen == ["hello", "+1", "yes"]
    assert fake_slack.responses[0] == ("ask", {"text": "got hello"})


async def test_forged_and_stale_signatures_are_401(fake_slack: FakeSlack, serve: Serve) -> None:
    seen: list[Any] = []
    client = await serve(_echo_app(fake_slack, seen))
    fields = builders.slash("/ask", "x", response_url=fake_slack.response_url())
    stale = await client.command(fields, timestamp=int(time.time()) - 6 * 60)
    forged = await client.post_raw("text=x", client.headers("text=y", content_type="text/plain"))
    assert (stale.status, forged.status) == (401, 401)
    await asyncio.sleep(0.05)
    assert seen == []


async def test_url_verification_echoes_the_challenge(fake_slack: FakeSlack, serve: Serve) -> None:
    client = await serve(_echo_app(fake_slack, []))
    reply = await client.event(builders.load("url_verification"))
    assert reply.json() == {"challenge": builders.load("url_verification")["challenge"]}


async def test_socket_mode_envelopes_are_acked_and_reach_listeners(fake_slack: FakeSlack) -> None:
    seen: list[Any] = []
    app = _echo_app(fake_slack, seen)
    handler = AsyncSocketModeHandler(app, app_token=APP_TOKEN)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        ack = await fake_slack.push_envelope(
            "events_api", builders.reaction(user="U2", name="+1", ts="1.1")
        )
        await _until(lambda: seen == ["+1"])
        assert "envelope_id" in ack
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
