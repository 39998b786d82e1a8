"""Catch-up on Discord: what happened while the bot was away counts once it is back.

The fake's state is changed behind the bot's back (no gateway event), as a restart or a long drop
leaves it; the bot re-reads thread history on READY and on RESUMED, in the background, and pages
the users of an emoji (past 100) only when its count changed. Every test runs on both stores.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from adapters.discord.catchup import start_catch_up
from bot.domain import PostId, WorkspaceRef
from bot.reconcile import CatchUp
from tests.conftest import FreshUrl

from .fake_discord import FakeDiscord, Thrower
from .harness import Harness, eventually


@pytest.fixture(params=["sqlite", "postgres"])
async def qa(
    request: pytest.FixtureRequest,
    start_bot: Callable[..., Awaitable[Harness]],
    fresh_url: FreshUrl,
) -> Harness:
    """qabot with the Message Content intent, on each store."""
    return await start_bot(message_content=True, storage_url=await fresh_url(request.param))


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


async def test_live_changes_while_catch_up_reads_are_never_undone(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    dave, erin = fake.add_member("dave"), fake.add_member("erin")
    asked = await qa.ask(alice, "Should I move to a staff role or stay senior?")
    answer = await qa.answer(bob, asked, "Stay until the scope is there.")
    await fake.react(dave, answer, "👍")
    await qa.ranked_as(alice, ["+1 bob"])
    fake.reactions[(answer["id"], "👍")] = [dave["id"], carol["id"]]  # carol's was missed
    guild = int(fake.guild_id)
    running = qa.client.context.catch_up_tasks.get(guild)
    if running is not None:
        await running
    held = fake.hold("GET", rf"/channels/{asked.thread['id']}/messages")
    task = start_catch_up(qa.client.context, guild)
    assert task is not None
    await held.arrived.wait()  # Discord has answered what it showed; the answer is on its way
    await fake.react(erin, answer, "👍")  # both live, after that answer was read
    await fake.unreact(dave, answer, "👍")
    await eventually(lambda: _rows_on(qa, "A1", 1))  # dave's removal and erin's vote are in
    held.release()
    await task
    await qa.ranked_as(alice, ["+2 bob"])
    workspace = WorkspaceRef("discord", fake.guild_id)
    voted = {
        who["username"]: [
            v.post for v in (await qa.store.personal_data(workspace, who["id"])).votes
        ]
        for who in (carol, dave, erin)
    }
    assert voted == {"carol": ["A1"], "dave": [], "erin": ["A1"]}  # caught up, removed, live
    assert await qa.store.recount() == 0


async def _rows_on(qa: Harness, post: str, count: int) -> bool:
    """Whether the store holds exactly `count` vote rows on `post`."""
    post_id = PostId.parse(post)
    assert post_id is not None
    held = await qa.store.held_votes(WorkspaceRef("discord", qa.fake.guild_id), [post_id])
    return sum(held.get(post_id, {}).values()) == count


async def test_with_nothing_changed_catch_up_reads_no_reactors(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Is it fine to job-hop after a year?")
    answer = await qa.answer(bob, asked, "Once or twice, yes.")
    fake.reactions[(answer["id"], "👍")] = [carol["id"]]
    await catch_up(qa, fake)
    before = len(fake.calls)
    again = await catch_up(qa, fake)
    paged = [c for c in fake.calls[before:] if "/reactions/" in c.path]
    assert (paged, again.reactor_reads) == ([], 0)


async def test_a_forgotten_person_stays_forgotten_after_a_resume(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Should I negotiate equity or salary?")
    answer = await qa.answer(bob, asked, "Salary: equity is a lottery ticket.")
    await fake.react(carol, answer, "👎")
    await qa.ranked_as(alice, ["-1 bob"])
    await qa.reply(await fake.slash(carol, "qa", subcommand="forgetme", confirm=True))
    await qa.ranked_as(alice, ["+0 bob"])
    await fake.drop()  # the gateway comes back with a RESUME: catch-up reads the 👎 again
    await fake.wait_connected()
    guild = int(fake.guild_id)
    running = qa.client.context.catch_up_tasks.get(guild)
    if running is not None:
        await running
    await fake.react(carol, answer, "👎")  # a raw event after the forget
    await catch_up(qa, fake)
    await qa.ranked_as(alice, ["+0 bob"])
    data = await qa.store.personal_data(WorkspaceRef("discord", fake.guild_id), carol["id"])
    assert list(data.votes) == []
    rejoined = await qa.reply(await fake.slash(carol, "qa", subcommand="rejoin"))
    assert rejoined["content"].startswith("Welcome back")
