"""The main path people use: ask, answer in the thread, vote with reactions, see `/top`."""

from __future__ import annotations

import re
from typing import Any

from bot.domain import WorkspaceRef
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import BOT_USER_ID, CHANNEL_ID, TEAM_ID
from tests.adapters.slack.world import ALICE, BOB, CAROL, DAVE, ERIN, SlackWorld, block_text


def _answer_ids(top: dict[str, Any]) -> list[str]:
    return re.findall(r"\|(A\d+)>", block_text(top))


async def test_ask_posts_the_question_with_its_asker_tags_and_answer_button(
    world: SlackWorld,
) -> None:
    posted = await world.ask("How do I move from backend to ML? #ml")
    text = block_text(posted)
    assert "Q1" in text and "Alice Asker" in text
    assert "How do I move from backend to ML?" in text and "#ml" in text
    assert "thread" in text and "👍" in text and "👎" in text
    buttons = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Answer", "Q1")]


async def test_answers_and_votes_from_several_people_order_top(world: SlackWorld) -> None:
    question = await world.ask("How do I move from backend to ML? #ml")
    a1 = await world.reply(question["ts"], "Take the fast.ai course", user=BOB)
    a2 = await world.reply(question["ts"], "Build a project with real data", user=CAROL)
    a3 = await world.reply(question["ts"], "Read papers", user=DAVE)
    for voter in (ALICE, DAVE, ERIN):
        await world.react(a2, "+1", user=voter)
    await world.react(a1, "thumbsup", user=ERIN)
    await world.react(a3, "-1::skin-tone-3", user=BOB)
    await world.react(question["ts"], "thumbsup", user=BOB)

    top = await world.top()

    assert top["response_type"] == "ephemeral"
    assert _answer_ids(top) == ["A2", "A1", "A3"]
    text = block_text(top)
    assert "*+3*" in text and "Carol Coder" in text and "Build a project with real data" in text
    assert "on Q1" in text
    assert "fake-workspace.slack.com/archives/C123ABC456/p" in text  # a link to each answer
    share = [e for b in top["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share and share[0]["text"]["text"] == "Share in channel"


async def test_skin_tones_and_aliases_are_one_vote_per_person(world: SlackWorld) -> None:
    question = await world.ask("Is a master's degree worth it?")
    answer = await world.reply(question["ts"], "Depends on the field", user=BOB)
    for name in ("+1", "thumbsup", "+1::skin-tone-2", "arrow_up"):
        await world.react(answer, name, user=CAROL)

    assert "*+1*" in block_text(await world.top())


async def test_removing_a_reaction_removes_the_vote(world: SlackWorld) -> None:
    question = await world.ask("Remote or office?")
    answer = await world.reply(question["ts"], "Remote", user=BOB)
    await world.react(answer, "+1", user=CAROL)
    await world.react(answer, "+1", user=CAROL, added=False)

    assert "(0👍 0👎)" in block_text(await world.top())


async def test_check_mark_by_the_asker_accepts(world: SlackWorld) -> None:
    question = await world.ask("First job: startup or big company?")
    answer = await world.reply(question["ts"], "Startup, to learn fast", user=BOB)
    await world.react(answer, "white_check_mark", user=CAROL)  # not the asker: nothing
    assert "accepted" not in block_text(await world.top())

    await world.react(answer, "white_check_mark", user=ALICE)

    assert "✅ accepted" in block_text(await world.top())


async def test_reactions_on_other_messages_are_ignored(world: SlackWorld) -> None:
    await world.ask("Where to find mentors?")
    calls_before = len(world.fake.calls)
    await world.react("1111111111.000001", "+1", user=BOB)  # a message that is not Q&A
    await world.event(builders.thread_reply(user=BOB, text="chat", thread_ts="1111111111.000001"))

    assert world.fake.calls[calls_before:] == []  # no users.info, no reply


async def test_reactions_with_other_emoji_look_nobody_up_and_count_nothing(
    world: SlackWorld,
) -> None:
    question = await world.ask("Bootcamp or degree?")
    answer = await world.reply(question["ts"], "Degree", user=BOB)
    calls_before = len(world.fake.calls)
    await world.react(answer, "tada", user=CAROL)
    await world.react(answer, "tada", user=CAROL, added=False)

    assert world.fake.calls[calls_before:] == []  # no users.info, no reply
    assert "(0👍 0👎)" in block_text(await world.top())


async def test_reactions_by_bots_and_by_the_author_do_not_count(world: SlackWorld) -> None:
    question = await world.ask("How to negotiate salary?")
    answer = await world.reply(question["ts"], "Always counter", user=BOB)
    await world.react(answer, "+1", user=BOB)  # own answer
    await world.react(answer, "+1", user="U0OTHERBOT")  # another bot
    # The bot's own reaction: bolt drops events by the app's bot user before any listener.
    await world.react(answer, "+1", user=BOT_USER_ID)
    await world.react(question["ts"], "+1", user=ALICE)  # own question

    assert "(0👍 0👎)" in block_text(await world.top())
    assert world.fake.ephemerals() == []


async def test_edited_reply_updates_the_answer(world: SlackWorld) -> None:
    question = await world.ask("Best language to learn first?")
    answer = await world.reply(question["ts"], "Pyhton", user=BOB)
    await world.event(
        builders.message_changed(user=BOB, text="Python", ts=answer, thread_ts=question["ts"])
    )

    text = block_text(await world.top())
    assert ">Python" in text and "Pyhton" not in text


async def test_deleted_reply_hides_the_answer_and_its_votes(world: SlackWorld) -> None:
    question = await world.ask("Should I learn Rust?")
    kept = await world.reply(question["ts"], "Yes", user=BOB)
    gone = await world.reply(question["ts"], "No", user=CAROL)
    await world.react(gone, "+1", user=DAVE)
    await world.event(builders.message_deleted(user=CAROL, ts=gone, thread_ts=question["ts"]))

    top = await world.top()
    assert _answer_ids(top) == ["A1"]
    assert kept and "No" not in block_text(top).split("\n>")[1]


async def test_top_for_one_question_and_a_tag(world: SlackWorld) -> None:
    ml = await world.ask("ML books? #ml")
    web = await world.ask("Web frameworks? #web")
    await world.reply(ml["ts"], "ISLR", user=BOB)
    await world.reply(web["ts"], "Django", user=CAROL)

    assert _answer_ids(await world.top("#ml")) == ["A1"]
    assert _answer_ids(await world.top("all Q2")) == ["A2"]


async def test_share_button_posts_top_in_the_channel(world: SlackWorld) -> None:
    question = await world.ask("Bootcamp or degree?")
    await world.reply(question["ts"], "Degree", user=BOB)
    await world.top()
    url = world.fake.response_url("share")
    click = builders.block_action(
        action_id="qabot_share_top", value="week", user=CAROL, message_ts="1.2", response_url=url
    )
    await world.interaction(click)

    shared = world.fake.posted(CHANNEL_ID)[-1]
    assert "shared by Carol Coder" in block_text(shared) and "Degree" in block_text(shared)
    assert [
        body.get("delete_original") for key, body in world.fake.responses if key == "share"
    ] == [True]


async def test_top_with_no_answers_says_how_to_answer(world: SlackWorld) -> None:
    await world.ask("Anyone?")

    top = await world.top()

    assert "replying in its thread" in block_text(top)
    assert [b for b in top["blocks"] if b["type"] == "actions"] == []  # nothing to share


async def test_a_check_mark_by_someone_who_may_not_accept_tells_them_who_can(
    world: SlackWorld,
) -> None:
    question = await world.ask("Should I learn Rust or Go first?")
    answer = await world.reply(question["ts"], "Go, for the jobs", user=BOB)

    await world.react(answer, "white_check_mark", user=CAROL)

    (told,) = world.fake.ephemerals(CAROL)
    assert told["text"] == "Only the person who asked, or a moderator, can accept an answer."
    assert "accepted" not in block_text(await world.top())


async def _channel_names(world: SlackWorld, *channels: str) -> dict[str, str]:
    found = await world.service.store.channel_names(WorkspaceRef("slack", TEAM_ID), channels)
    return dict(found)


async def test_the_channel_name_a_command_carries_is_kept_for_the_web_view(
    world: SlackWorld,
) -> None:
    await world.ask("Is a bootcamp worth it?")
    assert await _channel_names(world, CHANNEL_ID) == {CHANNEL_ID: "general"}
    await world.command("/top", channel_name="career-advice")  # the channel was renamed
    assert await _channel_names(world, CHANNEL_ID) == {CHANNEL_ID: "career-advice"}
    assert not [c for c in world.fake.calls if c.method == "conversations.list"]


async def test_slacks_placeholder_names_for_direct_messages_are_not_kept(
    world: SlackWorld,
) -> None:
    await world.command("/qa", "help", channel="D0DIRECT01", channel_name="directmessage")
    await world.command("/top", channel="G0PRIVATE1", channel_name="privategroup")
    assert await _channel_names(world, "D0DIRECT01", "G0PRIVATE1") == {}
