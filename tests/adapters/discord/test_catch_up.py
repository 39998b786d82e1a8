"""Catch-up on Discord: what happened while the bot was away counts once it is back.

The fake's state is changed behind the bot's back (no gateway event), as a restart or a long drop
leaves it; the bot re-reads reactions (paged past 100 users) and thread history on READY and on
RESUMED, in the background.
"""

from __future__ import annotations

from adapters.discord.catchup import start_catch_up
from bot.reconcile import CatchUp

from .fake_discord import FakeDiscord, Thrower
from .harness import Harness


async def catch_up(qa: Harness, fake: FakeDiscord) -> CatchUp:
    guild = int(fake.guild_id)
    running = qa.client.context.catch_up_tasks.get(guild)
    if running is not None:
        await running  # the pass READY began
    task = start_catch_up(qa.client.context, guild)
    assert task is not None
    return await task


async def test_votes_cast_while_away_count_and_removed_ones_stop(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    dave = fake.add_member("dave")
    asked = await qa.ask(alice, "Contract or permanent?")
    first = await qa.answer(bob, asked, "Permanent while you learn.")
    second = await qa.answer(carol, asked, "Contract pays more.")
    await fake.react(dave, second, "👍")
    await qa.ranked_as(alice, ["+1 carol", "+0 bob"])
    fake.reactions[(second["id"], "👍")] = []  # removed while away
    fake.reactions[(first["id"], "👍")] = [carol["id"], dave["id"]]
    fake.reactions[(first["id"], "🎉")] = [alice["id"]]
    await catch_up(qa, fake)
    await qa.ranked_as(alice, ["+2 bob", "+0 carol"])


async def test_more_than_a_hundred_reactions_are_all_counted(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Is a PhD worth it?")
    answer = await qa.answer(bob, asked, "For research roles.")
    fake.reactions[(answer["id"], "👍")] = [fake.add_member(f"fan{i}")["id"] for i in range(150)]
    await catch_up(qa, fake)
    await qa.ranked_as(alice, ["+150 bob"])
    pages = fake.bot_calls("GET", rf"/channels/\d+/messages/{answer['id']}/reactions/.+")
    assert len(pages) == 2


async def test_a_thread_reply_posted_while_away_becomes_an_answer(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "How do I ask for a raise?")
    fake.new_message(asked.thread["id"], bob, "Bring numbers.")  # no MESSAGE_CREATE: away
    done = await catch_up(qa, fake)
    assert done.answers_added == 1
    await qa.ranked_as(alice, ["+0 bob"])


async def test_a_dropped_gateway_catches_up_when_it_resumes(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Big company or startup?")
    answer = await qa.answer(bob, asked, "Startup, to learn fast.")
    await fake.drop()
    fake.reactions[(answer["id"], "👍")] = [carol["id"]]  # lost: never dispatched
    await fake.wait_connected()
    await qa.ranked_as(alice, ["+1 bob"])


async def test_a_question_discord_will_not_post_leaves_no_number_behind(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    forbidden = {"message": "Missing Permissions", "code": 50013}
    fake.throwers.append(Thrower("POST", r"/channels/\d+/messages/\d+/threads", 403, forbidden))
    iid = await fake.slash(alice, "ask", question="Will this thread open?")
    reply = await qa.reply(iid)
    fake.throwers.clear()
    assert reply["content"].startswith("I can't post here")
    assert not any("Will this thread open?" in str(m.get("embeds")) for m in fake.messages.values())
    asked = await qa.ask(alice, "And this one?")
    top = await qa.top(alice, question="Q1")
    assert "Q2" in asked.reply["content"] and "no Q1" in top["content"]
    assert "And this one?" in str(asked.message["embeds"])  # where the refused one would show


async def test_mentions_in_a_question_never_ping_anyone(qa: Harness, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    role = fake.add_role("hiring")
    await qa.ask(alice, f"@everyone @here <@&{role}> <@{fake.owner['id']}> who is hiring?")
    (post,) = fake.bot_calls("POST", r"/channels/\d+/messages")
    assert post.body["allowed_mentions"]["parse"] == []
    assert not post.body["allowed_mentions"].get("users")
    assert not post.body["allowed_mentions"].get("roles")
