"""Slash commands as a server sees them: names, options, replies, forum posts, anonymity."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

import pytest

from adapters.discord.translate import workspace

from .fake_discord import FakeDiscord
from .harness import Harness, eventually

MANAGE_MESSAGES = 1 << 13


async def test_commands_sync_to_the_configured_guild(qa: Harness, fake: FakeDiscord) -> None:
    call = fake.bot_calls(
        "PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands"
    )[-1]
    commands = {c["name"]: c for c in call.body}
    assert set(commands) == {"ask", "top", "qa"}
    ask_options = [(o["name"], o.get("required", False)) for o in commands["ask"]["options"]]
    assert ask_options == [("question", True), ("tags", False), ("anonymous", False)]
    window = next(o for o in commands["top"]["options"] if o["name"] == "window")
    assert [c["value"] for c in window["choices"]] == ["day", "week", "month", "year", "all"]
    assert {o["name"] for o in commands["top"]["options"]} == {"window", "tag", "question"}
    subcommands = {o["name"] for o in commands["qa"]["options"]}
    assert subcommands == {
        "help", "search", "accept", "remove", "recount",
        "leaderboard", "unanswered", "mydata", "forgetme", "rejoin", "headline", "web", "link",
    }  # fmt: skip


async def test_bot_asks_only_for_the_intents_it_needs(qa: Harness, fake: FakeDiscord) -> None:
    guilds, guild_messages, guild_reactions, message_content = 1, 1 << 9, 1 << 10, 1 << 15
    assert fake.identified_intents == guilds | guild_messages | guild_reactions | message_content


async def test_anonymous_question_never_shows_the_asker(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alicia"), fake.add_member("bob")
    asked = await qa.ask(alice, "Am I underpaid?", anonymous=True)
    assert asked.message["embeds"][0]["author"]["name"] == "Asked by Anonymous"
    await qa.answer(bob, asked, "Compare with levels.fyi.")
    top = await qa.top(bob)
    posted = json.dumps([c.body for c in fake.calls if c.method in ("POST", "PATCH")])
    assert "alicia" not in posted and "alicia" not in json.dumps(top)


async def test_forum_question_becomes_a_post_with_matching_tags(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    forum = fake.add_channel("career-forum", kind=15, tags=["ml", "salary"])
    qa = await start_bot()
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "ML engineer pay in Berlin?", channel=forum, tags="ML berlin")
    ml_tag = next(t["id"] for t in forum["available_tags"] if t["name"] == "ml")
    created = fake.bot_calls("POST", rf"/channels/{forum['id']}/threads")[-1]
    assert created.body["applied_tags"] == [ml_tag]  # "berlin" has no forum tag
    assert asked.thread["parent_id"] == forum["id"] and asked.thread["applied_tags"] == [ml_tag]
    await qa.answer(bob, asked, "Around 75k for mid-level.")
    await qa.ranked_as(alice, ["+0 bob"], channel=asked.thread, tag="ml")  # from the post


async def test_empty_question_gets_a_friendly_private_reply(qa: Harness, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    iid = await fake.slash(alice, "ask", question="   ")
    reply = await qa.reply(iid)
    assert reply["flags"] & 64 and "empty" in reply["content"]
    assert not fake.bot_calls("POST", r"/channels/\d+/messages")


async def test_top_for_one_question_and_a_bad_id(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    first = await qa.ask(alice, "First question?")
    second = await qa.ask(alice, "Second question?")
    await qa.answer(bob, first, "To the first.")
    await qa.answer(bob, second, "To the second.")
    embed = (await qa.top(alice, question="Q2"))["embeds"][0]
    assert embed["title"] == "Top answers to Q2" and len(embed["fields"]) == 1
    assert "To the second." in embed["fields"][0]["value"]
    bad = await qa.top(alice, question="A2")
    assert "Q12" in bad["content"] and not bad["embeds"]


async def test_share_button_posts_the_ranking_in_the_channel(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Best first language?")
    await qa.answer(bob, asked, "Python.")
    private = await qa.top(alice, window="all")
    share = private["components"][0]["components"][0]
    assert share["label"] == "Share in channel"
    click = await fake.click(alice, private, share["custom_id"])
    await qa.reply(click)
    public = fake.bot_calls("POST", rf"/channels/{fake.general['id']}/messages")[-1].body
    assert public["content"] == "Shared by alice"
    assert public["embeds"][0]["title"] == "Top answers in #general, all time"


async def test_tag_autocomplete_offers_matching_tags(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    fake.add_channel("career-forum", kind=15, tags=["ml", "mobile", "salary"])
    qa = await start_bot()
    iid = await fake.autocomplete(fake.owner, "top", "tag", "m")
    await eventually(lambda: fake.response(iid) is not None)
    response = fake.response(iid)
    assert response is not None and response["type"] == 8
    assert [c["value"] for c in response["data"]["choices"]] == ["ml", "mobile"]
    assert qa.client.is_ready()


async def test_qa_help_and_search(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    help_reply = await qa.reply(await fake.slash(alice, "qa", subcommand="help"))
    assert "/ask" in help_reply["content"] and help_reply["flags"] & 64
    asked = await qa.ask(alice, "How to prepare for system design interviews?")
    await qa.answer(bob, asked, "Practise with real design reviews.")
    found = await qa.reply(await fake.slash(alice, "qa", subcommand="search", words="design"))
    names = [f["name"] for f in found["embeds"][0]["fields"]]
    assert any(n.startswith("Q1") for n in names) and any(n.startswith("A1") for n in names)


async def test_search_shows_the_matching_words_in_bold(qa: Harness, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    await qa.ask(alice, "How do I negotiate a *fair* salary?")
    found = await qa.reply(await fake.slash(alice, "qa", subcommand="search", words="negotiating"))
    (field,) = found["embeds"][0]["fields"]
    assert field["value"].startswith("How do I **negotiate** a \\*fair\\* salary?")


async def test_only_moderators_remove(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    mod = fake.add_member("mod", permissions=MANAGE_MESSAGES)
    asked = await qa.ask(alice, "Spam?")
    await qa.answer(bob, asked, "Buy cheap watches.")
    refused = await qa.reply(await fake.slash(bob, "qa", subcommand="remove", post="A1"))
    assert "moderators" in refused["content"].lower()
    removed = await qa.reply(await fake.slash(mod, "qa", subcommand="remove", post="A1"))
    assert removed["content"].startswith("A1 is removed")
    await qa.ranked_as(alice, [])


async def test_asker_accepts_with_the_command(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Which offer should I take?")
    await qa.answer(bob, asked, "The one with the better manager.")
    refused = await qa.reply(await fake.slash(bob, "qa", subcommand="accept", answer="A1"))
    assert "Only the person who asked" in refused["content"]
    accepted = await qa.reply(await fake.slash(alice, "qa", subcommand="accept", answer="A1"))
    assert accepted["content"] == "✅ A1 is now the accepted answer to Q1."
    await qa.ranked_as(alice, ["+0 ✅ accepted bob"])


async def test_ask_inside_a_forum_post_opens_a_new_post(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    forum = fake.add_channel("career-forum", kind=15)
    qa = await start_bot()
    alice = fake.add_member("alice")
    first = await qa.ask(alice, "First post?", channel=forum)
    second = await qa.ask(alice, "Asked from inside the first post?", channel=first.thread)
    assert second.thread["parent_id"] == forum["id"] and second.thread["id"] != first.thread["id"]


async def test_ask_inside_a_thread_posts_in_its_channel(qa: Harness, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    first = await qa.ask(alice, "Outer question?")
    second = await qa.ask(alice, "Asked from the thread?", channel=first.thread)
    assert second.message["channel_id"] == fake.general["id"]


async def test_members_of_a_moderator_role_from_settings_may_remove(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    mentors = fake.add_role("mentors")
    qa = await start_bot(extra_toml=f'[moderators]\ndiscord_roles = ["{mentors}"]\n')
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    mentor = fake.add_member("mentor", roles=[mentors])
    asked = await qa.ask(alice, "Spam?")
    await qa.answer(bob, asked, "Buy cheap watches.")
    removed = await qa.reply(await fake.slash(mentor, "qa", subcommand="remove", post="A1"))
    assert removed["content"].startswith("A1 is removed")


async def test_invite_url_asks_for_the_needed_scopes_and_permissions_only(
    qa: Harness, fake: FakeDiscord
) -> None:
    url = qa.client.invite_url()
    assert f"client_id={fake.application_id}" in url
    assert "scope=bot+applications.commands" in url
    needed = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
    assert f"permissions={needed}" in url


async def test_anonymous_asker_is_not_logged(
    qa: Harness, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake.add_member("alicia")
    with caplog.at_level(logging.DEBUG):
        await qa.ask(alice, "Am I underpaid?", anonymous=True)
        await qa.reply(await fake.slash(alice, "ask", question=" ", anonymous=True))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("qabot"))
    assert "/ask refused" in ours  # the empty question was logged, without who asked
    assert alice["id"] not in ours and "alicia" not in ours


async def test_ask_where_the_bot_cannot_make_threads_says_what_to_fix(
    qa: Harness, fake: FakeDiscord
) -> None:
    fake.app_permissions &= ~(1 << 35)  # no Create Public Threads in this channel
    alice = fake.add_member("alice")
    reply = await qa.reply(await fake.slash(alice, "ask", question="Anyone there?"))
    assert "Create Public Threads" in reply["content"]
    assert not fake.bot_calls("POST", r"/channels/\d+/messages")
    fake.app_permissions |= 1 << 35
    asked = await qa.ask(alice, "Now?")
    assert "Q1" in asked.reply["content"]  # the refused question was never stored


async def test_a_long_search_is_echoed_as_a_short_excerpt(qa: Harness, fake: FakeDiscord) -> None:
    alice = fake.add_member("alice")
    words = "salary " * 70  # 490 characters: long, but under the search limit
    found = await qa.reply(await fake.slash(alice, "qa", subcommand="search", words=words))
    title = found["embeds"][0]["title"]
    assert title.startswith("Search: salary salary") and title.endswith("…")
    assert len(title) < 80


VIEW_CHANNEL = 1 << 10


async def test_a_channels_name_is_kept_for_the_web_view_unless_it_is_private(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    public = fake.add_channel("career-advice")
    everyone_sees = {"id": fake.guild_id, "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"}
    public["permission_overwrites"] = [everyone_sees]
    qa = await start_bot()
    alice = fake.add_member("alice")
    asked = await qa.ask(alice, "Is a bootcamp worth it?", channel=public)
    await qa.top(alice, channel=asked.thread)  # in the question's thread: its channel is named
    await qa.top(alice)  # in #general, which @everyone cannot see
    ids = [public["id"], asked.thread["id"], fake.general["id"]]
    names = await qa.store.channel_names(workspace(fake.guild_id), ids)
    assert names == {public["id"]: "career-advice"}
