"""Reactions are votes: raw events only, mapped through the voting settings."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from .fake_discord import FakeDiscord
from .harness import Harness

UPVOTE = ("upvote", "1200000000000000001")


async def test_votes_from_several_people_rank_answers(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol, dave, erin = (
        fake.add_member(n) for n in ("alice", "bob", "carol", "dave", "erin")
    )
    asked = await qa.ask(alice, "How do I negotiate salary?")
    weak = await qa.answer(bob, asked, "Just ask for more.")
    strong = await qa.answer(carol, asked, "Anchor high with market data.")
    for voter in (alice, dave, erin):
        await fake.react(voter, strong, "👍")
    await fake.react(dave, weak, "👎")
    await fake.react(erin, weak, "⬆️")
    await qa.ranked_as(alice, ["+3 carol", "+0 bob"])


async def test_top_links_to_the_answer_and_names_its_question(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "How do I negotiate salary?")
    answer = await qa.answer(bob, asked, "Anchor high with market data.")
    field = (await qa.top(alice))["embeds"][0]["fields"][0]
    assert "Anchor high with market data." in field["value"]
    assert f"/{fake.guild_id}/{answer['channel_id']}/{answer['id']}" in field["value"]
    assert "Q1: How do I negotiate salary?" in field["value"]


async def test_custom_emoji_votes_through_the_settings(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    qa = await start_bot(extra_toml=f'[voting.weights]\n"{UPVOTE[0]}:{UPVOTE[1]}" = 1\n"👎" = -1\n')
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Is a bootcamp worth it?")
    answer = await qa.answer(bob, asked, "Only with a portfolio at the end.")
    await fake.react(carol, answer, UPVOTE)
    await fake.react(alice, answer, "👍")  # not a voting emoji in these settings
    await qa.ranked_as(alice, ["+1 bob"])


async def test_removing_a_reaction_takes_the_vote_back(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Should I take the startup offer?")
    answer = await qa.answer(bob, asked, "Only if the equity is real.")
    await fake.react(carol, answer, "👍")
    await fake.react(alice, answer, "👍")
    await qa.ranked_as(alice, ["+2 bob"])
    await fake.unreact(carol, answer, "👍")  # a removal event carries no member
    await qa.ranked_as(alice, ["+1 bob"])


async def test_bot_and_self_reactions_do_not_count(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    helper = fake.add_member("helperbot", bot=True)
    asked = await qa.ask(alice, "Which certifications matter?")
    answer = await qa.answer(bob, asked, "Few; projects matter more.")
    await fake.react(helper, answer, "👍")
    await fake.react(bob, answer, "👍")  # the answer's own author
    await fake.react(fake.bot, answer, "👍")  # qabot itself
    await fake.react(carol, answer, "👍")
    await qa.ranked_as(alice, ["+1 bob"])


async def test_check_mark_by_the_asker_accepts(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "How long should a CV be?")
    answer = await qa.answer(bob, asked, "One page until ten years in.")
    await fake.react(carol, answer, "✅")  # not the asker: no effect
    await fake.react(alice, answer, "✅")
    await qa.ranked_as(alice, ["+0 ✅ accepted bob"])


async def test_clearing_reactions_drops_their_votes(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol, dave = (fake.add_member(n) for n in ("alice", "bob", "carol", "dave"))
    asked = await qa.ask(alice, "Remote or office for juniors?")
    first = await qa.answer(bob, asked, "Office, for the mentoring.")
    second = await qa.answer(carol, asked, "Remote with a good buddy.")
    await fake.react(alice, first, "👍")
    await fake.react(carol, first, "👎")
    await fake.react(alice, second, "👍")
    await fake.react(dave, second, "👍")
    await qa.ranked_as(alice, ["+2 carol", "+0 bob"])
    await fake.clear_emoji(first, "👎")
    await qa.ranked_as(alice, ["+2 carol", "+1 bob"])
    await fake.clear_reactions(first)
    await qa.ranked_as(alice, ["+2 carol", "+0 bob"])


async def test_a_check_mark_by_someone_who_may_not_accept_is_logged_with_the_reason(
    qa: Harness, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Is a cover letter still worth writing?")
    answer = await qa.answer(bob, asked, "Yes, a short one.")
    with caplog.at_level(logging.INFO, logger="qabot.discord"):
        await fake.react(carol, answer, "✅")
        await qa.ranked_as(alice, ["+0 bob"])
    assert any(
        "Only the person who asked, or a moderator, can accept" in record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
    )
