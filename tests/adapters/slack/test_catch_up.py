"""Catch-up on Slack: what happened while the bot was away counts once it is back.

Slack replays nothing, so at start-up (and on every Socket Mode hello) the adapter re-reads the
reactions (`reactions.get`) and thread replies (`conversations.replies`) of recent questions.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.catchup import start_catch_up
from adapters.slack.runtime import start_slack
from bot.domain import WorkspaceRef
from bot.reconcile import CatchUp
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID, TEAM_ID
from tests.adapters.slack.world import ALICE, BOB, CAROL, DAVE, ERIN, SlackWorld, block_text

TEAM = WorkspaceRef("slack", TEAM_ID)


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
