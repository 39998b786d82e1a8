"""Catch-up on Slack: what happened while the bot was away counts once it is back.

Slack replays nothing, so at start-up (and on every Socket Mode hello) the adapter re-reads the
thread replies of recent questions with their reactions (`conversations.replies`), and reads an
emoji's users in full (`reactions.get`) only when its count changed. Every test runs on both stores.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from adapters.slack.catchup import start_catch_up
from adapters.slack.runtime import EVENTS_PATH, start_slack
from bot.domain import WorkspaceRef
from bot.reconcile import CatchUp
from bot.settings import Settings
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID, TEAM_ID
from tests.adapters.slack.signed_client import SignedClient
from tests.adapters.slack.world import ALICE, BOB, CAROL, DAVE, ERIN, SlackWorld, block_text
from tests.conftest import FreshUrl

TEAM = WorkspaceRef("slack", TEAM_ID)


@pytest.fixture(params=["sqlite", "postgres"])
async def slack_settings(
    request: pytest.FixtureRequest, slack_settings: Settings, fresh_url: FreshUrl
) -> Settings:
    """The adapter's settings on each store."""
    url = await fresh_url(request.param)
    return replace(slack_settings, storage=replace(slack_settings.storage, url=url))


async def live_reply(world: SlackWorld, question_ts: str, text: str, *, user: str) -> str:
    """A thread reply that exists in Slack and whose event the bot received."""
    ts = world.fake.add_message(CHANNEL_ID, user, text, thread_ts=question_ts)
    await world.event(builders.thread_reply(user=user, text=text, thread_ts=question_ts, ts=ts))
    return ts


async def catch_up(world: SlackWorld) -> CatchUp:
    if world.bot.context.catch_up_task is not None:
        await world.bot.context.catch_up_task  # the one start-up began
    task = start_catch_up(world.bot.context, TEAM)
    assert task is not None
    return await task


def scores(top: dict[str, Any]) -> dict[str, str]:
    """{answer id: shown score} from a /top reply: `*1.* *+3* (3👍 0👎) · <link|A1> by ...`."""
    return {
        post: score for score, post in re.findall(r"\*([+-]?\d+)\* .*?\|(A\d+)>", block_text(top))
    }


async def test_votes_cast_while_away_count_and_removed_ones_stop(world: SlackWorld) -> None:
    question = await world.ask("Should I negotiate my first offer?")
    a1 = await live_reply(world, question["ts"], "Always, politely", user=BOB)
    a2 = await live_reply(world, question["ts"], "Only with a competing offer", user=CAROL)
    await world.react(a2, "+1", user=DAVE)  # seen live, then removed while away
    world.fake.reactions[(CHANNEL_ID, a1)] = {"+1": [DAVE, ERIN], "thumbsup": [ALICE]}
    await catch_up(world)
    assert scores(await world.top()) == {"A1": "+3", "A2": "0"}


async def test_a_reply_posted_while_away_becomes_an_answer(world: SlackWorld) -> None:
    question = await world.ask("Is a bootcamp worth it?")
    late = world.fake.add_message(
        CHANNEL_ID, BOB, "It was for me &amp; my team", thread_ts=question["ts"]
    )
    world.fake.reactions[(CHANNEL_ID, late)] = {"+1": [CAROL]}
    done = await catch_up(world)
    text = block_text(await world.top())
    assert done.answers_added == 1
    assert "It was for me &amp; my team" in text and "Bob Builder" in text


async def test_a_question_deleted_while_away_no_longer_shows(world: SlackWorld) -> None:
    question = await world.ask("Deleted while you were out?")
    await live_reply(world, question["ts"], "An answer", user=BOB)
    del world.fake.messages[(CHANNEL_ID, question["ts"])]
    await catch_up(world)
    (reply,) = await world.command("/top", "Q1")
    assert "no Q1" in reply["text"]


async def test_a_long_thread_is_read_page_by_page(world: SlackWorld) -> None:
    question = await world.ask("Remote or office?")
    for i in range(205):
        world.fake.add_message(CHANNEL_ID, BOB, f"Reply number {i}", thread_ts=question["ts"])
    done = await catch_up(world)
    assert done.answers_added == 205
    assert len(world.fake.calls_to("conversations.replies")) == 2


async def test_a_rate_limited_reactions_read_waits_and_goes_on(world: SlackWorld) -> None:
    question = await world.ask("How long should a CV be?")
    world.fake.reactions[(CHANNEL_ID, question["ts"])] = {"+1": [BOB]}
    world.fake.rate_limit_next("reactions.get", 1, retry_after=0)
    done = await catch_up(world)
    assert (done.failures, done.recounted) == (0, ["Q1"])


async def test_catch_up_runs_at_start_up(world: SlackWorld) -> None:
    question = await world.ask("Asked before a restart")
    world.fake.add_message(CHANNEL_ID, BOB, "Answered while it was down", thread_ts=question["ts"])
    runner = await start_slack(settings=world.bot.settings, service=world.service)
    try:
        assert runner.bot.context.catch_up_task is not None
        done = await runner.bot.context.catch_up_task
    finally:
        await runner.close()
    assert (done.questions, done.answers_added) == (1, 1)


async def test_live_changes_while_catch_up_reads_are_never_undone(world: SlackWorld) -> None:
    question = await world.ask("Should I take the management track?")
    a1 = await live_reply(world, question["ts"], "Only if you like people problems", user=BOB)
    await world.react(a1, "+1", user=DAVE)
    world.fake.reactions[(CHANNEL_ID, a1)] = {"+1": [DAVE, CAROL]}  # carol's was missed
    if world.bot.context.catch_up_task is not None:
        await world.bot.context.catch_up_task
    held = world.fake.hold("conversations.replies")
    task = start_catch_up(world.bot.context, TEAM)
    assert task is not None
    await held.arrived.wait()  # Slack has answered what it showed; the answer is on its way
    await world.react(a1, "+1", user=ERIN)  # both live, after that answer was read
    await world.react(a1, "+1", user=DAVE, added=False)
    held.release()
    await task
    assert scores(await world.top()) == {"A1": "+2"}
    voted = {who: await voted_on(world, who) for who in (CAROL, DAVE, ERIN)}
    assert voted == {CAROL: ["A1"], DAVE: [], ERIN: ["A1"]}  # caught up, removed live, live
    assert await world.service.store.recount() == 0


async def voted_on(world: SlackWorld, user: str) -> list[str]:
    data = await world.service.store.personal_data(TEAM, user)
    return [vote.post for vote in data.votes]


async def test_with_nothing_changed_catch_up_only_lists_the_threads(world: SlackWorld) -> None:
    question = await world.ask("Is a master's degree worth it mid-career?")
    a1 = await live_reply(world, question["ts"], "Rarely, unless you switch fields", user=BOB)
    world.fake.reactions[(CHANNEL_ID, a1)] = {"+1": [CAROL, DAVE]}
    await catch_up(world)
    before = len(world.fake.calls)
    again = await catch_up(world)
    calls = {call.method for call in world.fake.calls[before:]}
    assert (calls, again.reactor_reads) == ({"conversations.replies"}, 0)


async def test_an_emoji_with_more_users_than_a_listing_names_is_read_in_full(
    world: SlackWorld,
) -> None:
    world.fake.listing_names_at_most = 2
    question = await world.ask("Should I learn Rust or Go first?")
    a1 = await live_reply(world, question["ts"], "Go: you will ship sooner", user=BOB)
    world.fake.reactions[(CHANNEL_ID, a1)] = {"+1": [CAROL, DAVE, ERIN]}
    done = await catch_up(world)
    assert (scores(await world.top()), done.reactor_reads) == ({"A1": "+3"}, 1)
    assert len(world.fake.calls_to("reactions.get")) == 1


async def test_a_forgotten_person_stays_forgotten_after_a_restart(world: SlackWorld) -> None:
    question = await world.ask("How do I ask for a promotion?")
    a1 = await live_reply(world, question["ts"], "Write down your impact first", user=BOB)
    downvote = builders.reaction(user=CAROL, name="-1", ts=a1)
    await world.event(downvote)
    world.fake.reactions[(CHANNEL_ID, a1)] = {"-1": [CAROL]}  # still on Slack's message
    await world.command("/qa", "forgetme confirm", user=CAROL)
    runner = await start_slack(settings=world.bot.settings, service=world.service)
    restarted = SignedClient(f"http://127.0.0.1:{runner.port}{EVENTS_PATH}")
    try:
        assert runner.bot.context.catch_up_task is not None
        await runner.bot.context.catch_up_task
        # Slack retries the old event at the new process, which has never seen its id.
        assert (await restarted.event(downvote, retry_num=1)).status == 200
        await runner.bot.settle()
    finally:
        await restarted.close()
        await runner.close()
    await world.react(a1, "-1", user=CAROL)  # and a new reaction event, live
    assert scores(await world.top()) == {"A1": "0"}
    replies = await world.command("/qa", "mydata", user=CAROL)
    document = json.loads("".join(r["text"].strip("`") for r in replies[1:]))
    assert (document["user_id"], document["votes"]) == (CAROL, [])


async def test_a_person_who_rejoins_counts_again_from_then_on(world: SlackWorld) -> None:
    question = await world.ask("Remote-first companies: worth the pay cut?")
    a1 = await live_reply(world, question["ts"], "Depends on your commute", user=BOB)
    await world.command("/qa", "forgetme confirm", user=CAROL)
    await world.react(a1, "+1", user=CAROL)
    assert scores(await world.top()) == {"A1": "0"}
    (rejoined,) = await world.command("/qa", "rejoin", user=CAROL)
    await world.react(a1, "+1", user=DAVE)
    await world.react(a1, "-1", user=CAROL)
    assert "Welcome back" in rejoined["text"]
    assert scores(await world.top()) == {"A1": "0"}  # dave +1, carol -1
