"""Slack: abuse limits answer the person only, mentions never ping, failed posts leave nothing."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID
from tests.adapters.slack.world import ADMIN, BOB, CAROL, SlackWorld, block_text, everything_shown

PRIVATE = "C0PRIVATE1"  # a private channel the bot is in


async def ask_in(world: SlackWorld, channel: str, text: str) -> dict[str, Any]:
    await world.command("/ask", text, channel=channel)
    return world.fake.posted(channel)[-1]


async def reply_in(world: SlackWorld, channel: str, question_ts: str, text: str, user: str) -> None:
    await world.event(
        builders.thread_reply(user=user, text=text, thread_ts=question_ts, channel=channel)
    )


async def test_a_question_slack_refuses_to_post_leaves_no_number_behind(world: SlackWorld) -> None:
    world.fake.fail_next("chat.postMessage", "restricted_action")
    (reply,) = await world.command("/ask", "Will this post?")
    (top,) = await world.command("/top", "Q1")
    assert "nothing was posted" in reply["text"]
    assert "no Q1" in top["text"]


async def test_a_vote_storm_is_stopped_and_only_the_voter_is_told(world: SlackWorld) -> None:
    question = await world.ask("Should I take the counter-offer?")
    answer = await world.reply(question["ts"], "Rarely a good idea", user=BOB)
    for added in (True, False, True, False, True):
        await world.react(answer, "+1", user=CAROL, added=added)
    (told,) = world.fake.ephemerals(CAROL)
    assert "changed your vote on A1 several times" in told["text"]
    assert "*0*" in block_text(await world.top())


async def test_channel_and_user_mentions_in_a_question_never_ping(world: SlackWorld) -> None:
    await world.ask("<!channel> <!here> <@U0BOB00002> <!subteam^S123> is anyone hiring?")
    (call,) = world.fake.calls_to("chat.postMessage")
    shown = everything_shown(world)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U0BOB00002>" not in shown
    assert "&lt;!channel&gt;" in block_text(call.params)
    assert call.params.get("link_names") in (None, False, "false", "0")


async def test_a_demoted_admin_can_no_longer_remove_even_with_rights_cached(
    world: SlackWorld,
) -> None:
    await world.ask("Is this off-topic?", user=ADMIN)  # the adapter has now seen ADMIN as admin
    world.fake.users[ADMIN]["is_admin"] = False  # demoted in Slack a moment later
    (refused,) = await world.command("/qa", "remove Q1", user=ADMIN)
    assert "Only moderators" in refused["text"]
    world.fake.users[ADMIN]["is_admin"] = True
    (removed,) = await world.command("/qa", "remove Q1", user=ADMIN)
    assert removed["text"].startswith("Q1 is removed")


async def test_top_of_a_private_channels_question_shows_nothing_elsewhere(
    world: SlackWorld,
) -> None:
    question = await ask_in(world, PRIVATE, "Salary bands here?")
    await reply_in(world, PRIVATE, question["ts"], "Ask HR for the bands", BOB)
    (elsewhere,) = await world.command("/top", "Q1", channel=CHANNEL_ID)
    (at_home,) = await world.command("/top", "Q1", channel=PRIVATE)
    assert "no Q1" in elsewhere["text"] and "Ask HR" not in str(elsewhere)
    assert "Ask HR for the bands" in block_text(at_home)


async def test_search_shows_a_private_channels_posts_only_in_that_channel(
    world: SlackWorld,
) -> None:
    await ask_in(world, PRIVATE, "Confidential layoffs rumour?")
    (elsewhere,) = await world.command("/qa", "search layoffs", channel=CHANNEL_ID)
    (at_home,) = await world.command("/qa", "search layoffs", channel=PRIVATE)
    assert "Confidential" not in block_text(elsewhere)
    assert "Confidential" in block_text(at_home)
