"""Surfacing in Slack: similar questions and hot answers in threads, /qa leaderboard, unanswered,
mydata and forgetme as ephemeral replies, and a digest posted in its channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.digest_schedule import DigestTarget
from bot.domain import WorkspaceRef
from tests.adapters.slack.fake_slack import CHANNEL_ID, TEAM_ID
from tests.adapters.slack.world import ADMIN, ALICE, BOB, CAROL, DAVE, ERIN, SlackWorld, block_text

SALARY = "How do I negotiate a higher salary for a new job offer?"
SALARY_AGAIN = "What's the best way to negotiate salary when I get a job offer?"


def thread_posts(world: SlackWorld, ts: str) -> list[dict[str, object]]:
    return [c.params for c in world.fake.calls_to("chat.postMessage")
            if c.params.get("thread_ts") == ts]  # fmt: skip


async def test_a_similar_question_is_linked_in_the_new_questions_thread(
    world: SlackWorld,
) -> None:
    first = await world.ask(SALARY)
    await world.command("/ask", SALARY_AGAIN, user=BOB)
    posted = world.fake.posted()
    second = [m for m in posted if m["ts"] != first["ts"] and not m.get("thread_ts")][-1]
    [notice] = thread_posts(world, str(second["ts"]))
    shown = block_text(notice)  # type: ignore[arg-type]
    assert "Q1" in shown and "/archives/" in shown and "negotiate a higher salary" in shown


async def test_an_unrelated_question_gets_no_thread_notice(world: SlackWorld) -> None:
    await world.ask(SALARY)
    second = await world.ask("Should I learn Rust or Go for backend work?", user=BOB)
    assert thread_posts(world, str(second["ts"])) == []


async def test_an_answer_reaching_five_is_announced_once_in_its_thread(
    world: SlackWorld,
) -> None:
    question = await world.ask("Contract or permanent?")
    answer_ts = await world.reply(question["ts"], "Permanent, for the benefits", user=BOB)
    for voter in (ALICE, CAROL, DAVE, ERIN, ADMIN):
        await world.react(answer_ts, "+1", user=voter)
    await world.react(answer_ts, "+1", user=ADMIN, added=False)
    await world.react(answer_ts, "+1", user=ADMIN)
    [notice] = thread_posts(world, str(question["ts"]))
    assert "A1" in block_text(notice) and "+5" in block_text(notice)  # type: ignore[arg-type]


async def test_leaderboard_is_ephemeral_and_ranks_answer_authors(world: SlackWorld) -> None:
    question = await world.ask("Contract or permanent?")
    answer_ts = await world.reply(question["ts"], "Permanent", user=BOB)
    await world.react(answer_ts, "+1", user=CAROL)
    (reply,) = await world.command("/qa", "leaderboard", user=DAVE)
    assert reply["response_type"] == "ephemeral"
    assert "Leaderboard, this week" in block_text(reply)
    assert "*1.* *Bob Builder* +1" in block_text(reply)


async def test_unanswered_lists_waiting_questions_with_links(world: SlackWorld) -> None:
    await world.ask("Anyone hiring juniors?")
    (reply,) = await world.command("/qa", "unanswered", user=CAROL)
    assert reply["response_type"] == "ephemeral"
    assert "Anyone hiring juniors?" in block_text(reply) and "/archives/" in block_text(reply)


async def test_a_bad_window_gets_a_friendly_reply(world: SlackWorld) -> None:
    (reply,) = await world.command("/qa", "unanswered fortnight", user=CAROL)
    assert reply["text"].startswith("I don't understand 'fortnight'")


async def test_mydata_sends_the_persons_json_only_to_them(world: SlackWorld) -> None:
    await world.ask("My own question?", user=CAROL)
    replies = await world.command("/qa", "mydata", user=CAROL)
    assert all(r["response_type"] == "ephemeral" for r in replies)
    document = json.loads("".join(r["text"].strip("`") for r in replies[1:]))
    assert [q["text"] for q in document["questions"]] == ["My own question?"]


async def test_forgetme_asks_then_forgets(world: SlackWorld) -> None:
    question = await world.ask("Contract or permanent?")
    answer_ts = await world.reply(question["ts"], "Permanent", user=BOB)
    await world.react(answer_ts, "+1", user=CAROL)
    (asked,) = await world.command("/qa", "forgetme", user=CAROL)
    (done,) = await world.command("/qa", "forgetme confirm", user=CAROL)
    (board,) = await world.command("/qa", "leaderboard", user=DAVE)
    assert "/qa forgetme confirm" in asked["text"]
    assert done["text"].startswith("Done: 1 vote(s) removed")
    assert "No votes on answers yet" in block_text(board)


async def test_a_digest_is_posted_in_its_channel_with_blocks(world: SlackWorld) -> None:
    question = await world.ask("Contract or permanent?")
    await world.reply(question["ts"], "Permanent, for the benefits", user=BOB)
    await world.ask("Anyone hiring juniors?", user=CAROL)
    target = DigestTarget(WorkspaceRef("slack", TEAM_ID), CHANNEL_ID)
    digest = await world.service.digest(target, due_at=datetime.now(UTC))
    poster = world.service.posters.get("slack")
    assert poster is not None
    await poster.post_digest(target.workspace, digest)
    posted = world.fake.calls_to("chat.postMessage")[-1].params
    assert posted["channel"] == CHANNEL_ID
    shown = json.dumps(posted["blocks"])
    assert "Top answers this week" in shown and "Permanent, for the benefits" in shown
    assert "Still waiting for an answer" in shown and "Anyone hiring juniors?" in shown


async def test_help_names_the_surfacing_commands(world: SlackWorld) -> None:
    (reply,) = await world.command("/qa", "help")
    for shown in ("/qa leaderboard", "/qa unanswered", "/qa mydata", "/qa forgetme"):
        assert shown in reply["text"]


async def test_forgetme_redraws_the_persons_questions_as_anonymous(world: SlackWorld) -> None:
    question = await world.ask("Where do I start?", user=CAROL)
    await world.command("/qa", "forgetme confirm", user=CAROL)
    [update] = world.fake.calls_to("chat.update")
    assert update.params["ts"] == question["ts"]
    shown = json.dumps(update.params["blocks"])
    assert "Anonymous" in shown and "Carol" not in shown
