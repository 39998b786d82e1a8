"""How Slack delivers: retries, signatures, rate limits, tokens, and the Socket Mode transport."""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from pathlib import Path

import pytest

from adapters.slack.runtime import start_slack
from bot.domain import TopQuery, Window, WorkspaceRef
from bot.errors import SettingsError
from bot.ports import Store
from bot.service import QAService
from bot.settings import Secrets, Settings
from bot.surfacing_verbs import SURFACING_VERBS
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, CHANNEL_ID, TEAM_ID, FakeSlack
from tests.adapters.slack.signed_client import SIGNING_SECRET
from tests.adapters.slack.world import ALICE, BOB, CAROL, SlackWorld, block_text

MANIFEST = Path(__file__).parents[3] / "adapters" / "slack" / "manifest.yaml"
COMMANDS_SOURCE = MANIFEST.with_name("commands.py")


async def test_a_redelivered_reaction_counts_once(world: SlackWorld) -> None:
    question = await world.ask("Is leetcode necessary?")
    answer = await world.reply(question["ts"], "For big tech, yes", user=BOB)
    vote = builders.reaction(user=CAROL, name="+1", ts=answer)
    await world.event(vote)
    await world.event(vote, retry_num=1)
    await world.event(vote, retry_num=2)

    assert "(1👍 0👎)" in block_text(await world.top())


async def test_a_redelivered_thread_reply_is_one_answer(world: SlackWorld) -> None:
    question = await world.ask("How long should a CV be?")
    reply = builders.thread_reply(user=BOB, text="One page", thread_ts=question["ts"])
    await world.event(reply)
    await world.event(reply, retry_num=1)

    assert re.findall(r"\|(A\d+)>", block_text(await world.top())) == ["A1"]


async def test_a_retry_whose_first_delivery_was_lost_still_counts(world: SlackWorld) -> None:
    question = await world.ask("Freelance or full time?")
    answer = await world.reply(question["ts"], "Full time first", user=BOB)
    # Only the retry arrives (the bot was down for the first): it is the only copy.
    await world.event(builders.reaction(user=CAROL, name="+1", ts=answer), retry_num=3)

    assert "(1👍 0👎)" in block_text(await world.top())


async def test_the_same_vote_with_a_new_event_id_changes_nothing(world: SlackWorld) -> None:
    question = await world.ask("Which IDE?")
    answer = await world.reply(question["ts"], "Whatever you like", user=BOB)
    await world.react(answer, "+1", user=CAROL)
    await world.react(answer, "+1", user=CAROL)

    assert "(1👍 0👎)" in block_text(await world.top())


@pytest.mark.parametrize("age_seconds", [6 * 60, -6 * 60])
async def test_stale_signatures_get_401_and_change_nothing(
    world: SlackWorld, age_seconds: int
) -> None:
    fields = builders.slash("/ask", "Sneaky?", user=ALICE, response_url=world.fake.response_url())
    reply = await world.http.command(fields, timestamp=int(time.time()) - age_seconds)
    await world.settle()

    assert reply.status == 401
    assert world.fake.posted() == [] and world.fake.responses == []


async def test_forged_and_missing_signatures_get_401(world: SlackWorld) -> None:
    body = "command=%2Fask&text=forged&team_id=T123ABC456&channel_id=C123ABC456&user_id=U1"
    signed_other = world.http.headers(
        "text=other", content_type="application/x-www-form-urlencoded"
    )
    forged = await world.http.post_raw(body, signed_other)
    missing = await world.http.post_raw(body, {"Content-Type": "application/x-www-form-urlencoded"})
    await world.settle()

    assert (forged.status, missing.status) == (401, 401)
    assert world.fake.posted() == []


async def test_url_verification_is_answered(world: SlackWorld) -> None:
    challenge = builders.load("url_verification")
    reply = await world.http.event(challenge)
    assert reply.json() == {"challenge": challenge["challenge"]}


async def test_rate_limited_post_is_retried_after_retry_after(world: SlackWorld) -> None:
    world.fake.rate_limit_next("chat.postMessage", 1, retry_after=0)
    posted = await world.ask("Do I need a cover letter?")

    assert "Q1" in block_text(posted)
    assert len(world.fake.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize("text", ["Hello?", ""])
async def test_bot_not_in_channel_says_invite_me_and_stores_nothing(
    world: SlackWorld, text: str
) -> None:
    (reply,) = await world.command("/ask", text, channel="C0NOTJOIND")
    await world.ask("Asked where the bot is")

    assert "/invite @qabot" in reply["text"] and reply["response_type"] == "ephemeral"
    assert world.fake.calls_to("views.open") == []  # no form to fill in for nothing
    assert "Q1" in block_text(world.fake.posted()[0])  # the refused one took no number


async def test_a_post_that_fails_anyway_tells_the_asker(world: SlackWorld) -> None:
    world.fake.fail_next("chat.postMessage", "is_archived")
    (reply,) = await world.command("/ask", "Archived?")

    assert "is_archived" in reply["text"] and world.fake.posted() == []


async def test_unexpected_failure_apologises_without_a_stack_trace(world: SlackWorld) -> None:
    world.fake.fail_next("views.open", "internal_error")
    (reply,) = await world.command("/ask", "")

    assert reply["text"].startswith("Sorry") and "Traceback" not in reply["text"]


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/top", "fortnight", "I don't understand 'fortnight'"),
        ("/top", "A3", "not the right kind of id"),
        ("/qa", "dance", "I don't know `dance`"),
        ("/qa", "accept", "Which one?"),
        ("/qa", "accept Q1", "not the right kind of id"),
        ("/qa", "remove Q1", "Only moderators"),
        ("/qa", "search", "Give me some words"),
        ("/ask", "x" * 4001, "limit is 4,000"),
    ],
)
async def test_bad_input_gets_a_friendly_reply_and_changes_nothing(
    world: SlackWorld, command: str, text: str, expected: str
) -> None:
    (reply,) = await world.command(command, text)

    assert expected in reply["text"] and reply["response_type"] == "ephemeral"
    assert world.fake.posted() == []


async def test_wrong_bot_token_stops_startup_with_one_line(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    secrets = dataclasses.replace(slack_settings.secrets, slack_bot_token="xoxb-revoked")
    settings = dataclasses.replace(slack_settings, secrets=secrets)
    with pytest.raises(SettingsError) as caught:
        await start_slack(settings=settings, service=QAService(store=store, settings=settings))

    message = str(caught.value)
    assert "SLACK_BOT_TOKEN" in message and "invalid_auth" in message and "\n" not in message
    assert "xoxb-revoked" not in message


async def test_wrong_app_token_stops_socket_mode_startup(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(
        slack_settings,
        slack=dataclasses.replace(slack_settings.slack, mode="socket"),
        secrets=Secrets(
            slack_bot_token=slack_settings.secrets.slack_bot_token, slack_app_token="xapp-bad"
        ),
    )
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        await start_slack(settings=settings, service=QAService(store=store, settings=settings))


async def test_socket_mode_acks_envelopes_and_reaches_the_same_listeners(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    settings = dataclasses.replace(
        slack_settings,
        slack=dataclasses.replace(slack_settings.slack, mode="socket"),
        # No signing secret: Socket Mode has no HTTP endpoint to sign.
        secrets=dataclasses.replace(slack_settings.secrets, slack_signing_secret=""),
    )
    fake_slack.add_user(ALICE, "Alice Asker")
    runner = await start_slack(settings=settings, service=QAService(store=store, settings=settings))
    try:
        fields = builders.slash("/ask", "Socket?", response_url=fake_slack.response_url())
        ack = await fake_slack.push_envelope("slash_commands", fields)
        await runner.bot.settle()
        (question,) = fake_slack.posted(CHANNEL_ID)
        reply = builders.thread_reply(user=ALICE, text="Self answer", thread_ts=question["ts"])
        event_ack = await fake_slack.push_envelope("events_api", reply)
        await runner.bot.settle()
    finally:
        await runner.close()

    assert ack["envelope_id"] and event_ack["envelope_id"]
    assert "Socket?" in block_text(question)
    query = TopQuery(channel_id=CHANNEL_ID, window=Window.ALL)
    top = await QAService(store=store, settings=settings).top(
        workspace=WorkspaceRef("slack", TEAM_ID), query=query
    )
    assert [r.answer.text for r in top] == ["Self answer"]


def _manifest_list(key: str) -> list[str]:
    """The items of one list in the manifest (no YAML parser is a dependency)."""
    section = MANIFEST.read_text().split(f"{key}:", 1)[1]
    items = []
    for line in section.splitlines()[1:]:
        item = re.match(r"\s+- ([\w./:-]+)", line)
        if item is None:
            break
        items.append(item[1])
    return items


def test_manifest_commands_are_the_default_command_names() -> None:
    commands = set(re.findall(r"- command: (/\w+)", MANIFEST.read_text()))
    slack = Settings().slack
    assert commands == {slack.ask_command, slack.top_command, slack.qa_command}


async def test_every_event_the_manifest_subscribes_to_has_a_listener(world: SlackWorld) -> None:
    examples = {
        "message.channels": builders.thread_reply(user=BOB, text="hi", thread_ts="1.000001"),
        "message.groups": builders.thread_reply(user=BOB, text="hi", thread_ts="1.000002"),
        "reaction_added": builders.reaction(user=BOB, name="+1", ts="1.000003"),
        "reaction_removed": builders.reaction(added=False, user=BOB, name="+1", ts="1.000003"),
    }
    examples["message.groups"]["event"]["channel_type"] = "group"
    subscribed = _manifest_list("bot_events")
    assert subscribed and set(subscribed) <= set(examples)
    for name in subscribed:
        # bolt answers 404 to an event no listener matches (and Slack then retries it).
        assert (await world.http.event(examples[name])).status == 200, name


async def test_secrets_never_reach_the_log(
    fake_slack: FakeSlack,
    slack_settings: Settings,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = dataclasses.replace(
        slack_settings, slack=dataclasses.replace(slack_settings.slack, mode="socket")
    )
    runner = await start_slack(settings=settings, service=QAService(store=store, settings=settings))
    try:
        fields = builders.slash("/ask", "Logged?", response_url=fake_slack.response_url())
        await fake_slack.push_envelope("slash_commands", fields)
        await runner.bot.settle()
    finally:
        await runner.close()

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Logged?" in logged  # debug logging was really on
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in logged


async def test_web_api_calls_share_one_session_that_stopping_closes(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    fake_slack.add_user(ALICE, "Alice")
    runner = await start_slack(
        settings=slack_settings, service=QAService(store=store, settings=slack_settings)
    )
    try:
        session = runner.bot.client.session
        assert session is not None and not session.closed
        await runner.bot.client.users_info(user=ALICE)
        assert runner.bot.client.session is session  # kept alive, not one connection per call
    finally:
        await runner.close()

    assert session.closed


def test_the_manifest_qa_hint_names_every_verb_slack_accepts() -> None:
    handled = re.findall(r'verb == "(\w+)"', COMMANDS_SOURCE.read_text(encoding="utf-8"))
    accepted = {*handled, *SURFACING_VERBS}
    hint = re.search(
        r"- command: /qa\n(?:\s+#.*\n|\s+\w+: .*\n)*?\s+usage_hint: \"([^\"]*)\"",
        MANIFEST.read_text(encoding="utf-8"),
    )
    assert hint is not None and {"help", "accept", "leaderboard"} <= accepted
    assert accepted <= set(re.findall(r"\w+", hint[1])), hint[1]


def test_the_manifest_counts_the_url_lines_http_mode_uncomments() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    said = re.search(r"uncomment the (\w+) url lines", text)
    url_lines = re.findall(r"^\s+# (?:url|request_url): ", text, re.MULTILINE)
    numbers = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    assert said is not None and numbers[said[1]] == len(url_lines)
