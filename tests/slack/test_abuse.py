"""Slack: abuse limits answer the person only, mentions never ping, failed posts leave nothing."""

from __future__ import annotations

from tests.slack.world import BOB, CAROL, SlackWorld, block_text, everything_shown


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
