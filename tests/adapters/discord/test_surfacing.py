"""Surfacing in Discord: similar questions and hot answers in the question's thread, the /qa
leaderboard, unanswered, mydata and forgetme subcommands, and a digest embed in its channel."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from adapters.discord.translate import workspace
from bot.digest_schedule import DigestTarget

from .fake_discord import FakeDiscord
from .harness import Harness, eventually

SALARY = "How do I negotiate a higher salary for a new job offer?"
SALARY_AGAIN = "What's the best way to negotiate salary when I get a job offer?"


def posts_in(fake: FakeDiscord, channel_id: str) -> Callable[[], list[Any]]:
    return lambda: [c.body for c in fake.bot_calls("POST", rf"/channels/{channel_id}/messages")]


async def test_a_similar_question_is_linked_in_the_new_questions_thread(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    await qa.ask(alice, SALARY)
    second = await qa.ask(bob, SALARY_AGAIN)
    posted = posts_in(fake, second.thread["id"])
    await eventually(lambda: len(posted()) == 1)
    embed = posted()[0]["embeds"][0]
    assert embed["title"] == "Similar questions asked before"
    assert "[Q1](https://discord.com/channels/" in embed["description"]


async def test_an_unrelated_question_gets_nothing_in_its_thread(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    await qa.ask(alice, SALARY)
    second = await qa.ask(alice, "Should I learn Rust or Go for backend work?")
    assert posts_in(fake, second.thread["id"])() == []


async def test_an_answer_reaching_five_is_announced_once(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    voters = [fake.add_member(name) for name in ("c", "d", "e", "f", "g")]
    asked = await qa.ask(alice, "Contract or permanent?")
    answer = await qa.answer(bob, asked, "Permanent, for the benefits.")
    for voter in voters:
        await fake.react(voter, answer, "👍")
    posted = posts_in(fake, asked.thread["id"])
    await eventually(lambda: len(posted()) == 1)
    assert posted()[0]["embeds"][0]["title"] == "🔥 A1 reached +5"


async def test_leaderboard_subcommand_ranks_answer_authors(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Contract or permanent?")
    answer = await qa.answer(bob, asked, "Permanent.")
    await fake.react(carol, answer, "👍")
    await qa.ranked_as(alice, ["+1 bob"])
    reply = await qa.reply(await fake.slash(carol, "qa", subcommand="leaderboard"))
    assert reply["flags"] & 64
    assert reply["embeds"][0]["title"] == "Leaderboard, this week"
    assert reply["embeds"][0]["description"] == "**1.** bob +1 (↑1 ↓0)"


async def test_unanswered_subcommand_lists_waiting_questions(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    await qa.ask(alice, "Anyone hiring juniors?")
    reply = await qa.reply(await fake.slash(alice, "qa", subcommand="unanswered", window="week"))
    assert "Anyone hiring juniors?" in reply["embeds"][0]["description"]


async def test_mydata_sends_the_json_only_to_the_person(qa: Harness, fake: FakeDiscord) -> None:
    carol = fake.add_member("carol")
    await qa.ask(carol, "My own question?")
    iid = await fake.slash(carol, "qa", subcommand="mydata")
    reply = await qa.reply(iid)
    assert reply["content"].startswith("Your data on this board: 1 question(s)")
    followups = [m for m in fake.messages.values() if "```json" in (m.get("content") or "")]
    assert all(int(m.get("flags") or 0) & 64 for m in followups)
    text = "".join(m["content"].removeprefix("```json\n").removesuffix("\n```") for m in followups)
    assert [q["text"] for q in json.loads(text)["questions"]] == ["My own question?"]


async def test_forgetme_needs_confirm_then_forgets(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Contract or permanent?")
    answer = await qa.answer(bob, asked, "Permanent.")
    await fake.react(carol, answer, "👍")
    await qa.ranked_as(alice, ["+1 bob"])
    first = await qa.reply(await fake.slash(carol, "qa", subcommand="forgetme"))
    assert "confirm:True" in first["content"]
    await qa.ranked_as(alice, ["+1 bob"])
    done = await qa.reply(await fake.slash(carol, "qa", subcommand="forgetme", confirm=True))
    assert done["content"].startswith("Done: 1 vote(s) removed")
    await qa.ranked_as(alice, ["+0 bob"])


async def test_a_digest_is_posted_as_an_embed_in_its_channel(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Contract or permanent?")
    await qa.answer(bob, asked, "Permanent, for the benefits.")
    await qa.ask(bob, "Anyone hiring juniors?")
    target = DigestTarget(workspace(fake.guild_id), str(fake.general["id"]))
    digest = await qa.service.digest(target, due_at=datetime.now(UTC))
    poster = qa.service.posters.get("discord")
    assert poster is not None
    await poster.post_digest(target.workspace, digest)
    embed = posts_in(fake, str(fake.general["id"]))()[-1]["embeds"][0]
    assert embed["title"] == "Top answers this week"
    assert "Permanent, for the benefits." in embed["fields"][0]["value"]
    assert "Anyone hiring juniors?" in embed["fields"][-1]["value"]


async def test_help_names_the_surfacing_commands(qa: Harness, fake: FakeDiscord) -> None:
    reply = await qa.reply(await fake.slash(fake.add_member("alice"), "qa", subcommand="help"))
    for shown in ("/qa leaderboard", "/qa unanswered", "/qa mydata", "/qa forgetme"):
        assert shown in reply["content"]


async def test_forgetme_redraws_the_persons_questions_as_anonymous(
    qa: Harness, fake: FakeDiscord
) -> None:
    carol = fake.add_member("carol")
    asked = await qa.ask(carol, "Where do I start?")
    await qa.reply(await fake.slash(carol, "qa", subcommand="forgetme", confirm=True))
    edits = fake.bot_calls("PATCH", rf"/channels/\d+/messages/{asked.message['id']}")
    assert edits and edits[-1].body["embeds"][0]["author"]["name"] == "Asked by Anonymous"


async def test_headline_subcommand_shows_the_headline_in_top(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Contract or permanent?")
    await qa.answer(bob, asked, "Permanent.")
    reply = await qa.reply(await fake.slash(bob, "qa", subcommand="headline", text="Recruiter"))
    assert reply["flags"] & 64
    assert "Recruiter" in reply["content"]
    await qa.ranked_as(alice, ["+0 bob (Recruiter)"])


async def test_web_subcommand_lets_the_asker_hide_a_question(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    await qa.ask(alice, "Contract or permanent?")
    iid = await fake.slash(alice, "qa", subcommand="web", action="hide", value="Q1")
    reply = await qa.reply(iid)
    assert reply["content"] == "Q1 is hidden from the web view."


async def test_link_subcommand_says_a_question_is_not_published(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    await qa.ask(alice, "Contract or permanent?")
    reply = await qa.reply(await fake.slash(alice, "qa", subcommand="link", question="Q1"))
    assert reply["content"] == "Q1 is not published on the web."
