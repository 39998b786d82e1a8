"""/ask -> thread -> answers -> votes -> /top, through the real client and the fake Discord."""

from __future__ import annotations

from .fake_discord import FakeDiscord
from .harness import Harness, eventually


async def test_ask_posts_the_question_with_a_thread_and_an_answer_button(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice = fake.add_member("alice")
    asked = await qa.ask(alice, "Should I learn Rust or Go first?", tags="backend career")
    embed = asked.message["embeds"][0]
    assert embed["description"] == "Should I learn Rust or Go first?"
    assert embed["author"]["name"] == "Asked by alice"
    assert "#backend #career" in embed["footer"]["text"]
    assert asked.message["channel_id"] == fake.general["id"]
    assert asked.thread["parent_id"] == fake.general["id"]
    assert asked.reply["flags"] & 64  # only the asker sees the confirmation


async def test_answers_and_votes_decide_top_order(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol, dave, erin = (
        fake.add_member(n) for n in ("alice", "bob", "carol", "dave", "erin")
    )
    asked = await qa.ask(alice, "How do I negotiate salary?")
    weak = await qa.answer(bob, asked, "Just ask for more.")
    strong = await qa.answer(carol, asked, "Anchor high with market data.")
    for voter in (alice, dave, erin):
        await fake.react(voter, strong, "👍")
    await fake.react(dave, weak, "👎")
    await fake.react(erin, weak, "👍")

    async def ranked() -> bool:
        fields = (await qa.top(alice))["embeds"][0].get("fields", [])
        return [f["name"].split(" · ")[1] for f in fields] == ["+3", "+0"]

    await eventually(ranked)
    top = (await qa.top(alice))["embeds"][0]["fields"]
    assert "Anchor high" in top[0]["value"] and "by carol" in top[0]["name"]
    assert f"/{strong['channel_id']}/{strong['id']}" in top[0]["value"]  # jump link to the answer
