"""`/qa help|search|accept|remove|recount`: answers only the person who typed it."""

from __future__ import annotations

from tests.adapters.slack.world import ADMIN, ALICE, BOB, CAROL, MODERATOR, SlackWorld, block_text


async def test_help_lists_the_commands_by_their_configured_names(world: SlackWorld) -> None:
    (reply,) = await world.command("/qa", "help")

    assert reply["response_type"] == "ephemeral"
    for shown in ("/ask", "/top", "/qa search", "--anon", "✅"):
        assert shown in reply["text"]


async def test_search_finds_questions_and_answers(world: SlackWorld) -> None:
    question = await world.ask("How to negotiate a raise?")
    await world.reply(question["ts"], "Bring market salary data", user=BOB)

    (reply,) = await world.command("/qa", "search salary", user=CAROL)

    text = block_text(reply)
    assert "A1" in text and "Bring market *salary* data" in text and "on Q1" in text


async def test_the_asker_accepts_by_command(world: SlackWorld) -> None:
    question = await world.ask("Contract or permanent?")
    await world.reply(question["ts"], "Permanent, for the benefits", user=BOB)

    (reply,) = await world.command("/qa", "accept A1", user=ALICE)

    assert reply["text"] == "✅ A1 is now the accepted answer to Q1."
    assert "✅ accepted" in block_text(await world.top())


async def test_someone_else_cannot_accept(world: SlackWorld) -> None:
    question = await world.ask("Contract or permanent?")
    await world.reply(question["ts"], "Contract, for the money", user=BOB)

    (reply,) = await world.command("/qa", "accept A1", user=CAROL)

    assert "Only the person who asked" in reply["text"]
    assert "accepted" not in block_text(await world.top())


async def test_a_workspace_admin_removes_a_question_and_its_answers(world: SlackWorld) -> None:
    question = await world.ask("Spam spam spam")
    await world.reply(question["ts"], "eggs", user=BOB)

    (reply,) = await world.command("/qa", "remove Q1", user=ADMIN)

    assert reply["text"].startswith("Q1 is removed")
    assert "A1" not in block_text(await world.top("all"))


async def test_a_moderator_named_in_settings_may_recount(world: SlackWorld) -> None:
    (refused,) = await world.command("/qa", "recount", user=BOB)
    (done,) = await world.command("/qa", "recount", user=MODERATOR)

    assert "Only moderators" in refused["text"]
    assert done["text"] == "Recounted every vote: 0 post(s) corrected."


async def test_a_long_search_is_echoed_as_a_short_excerpt(world: SlackWorld) -> None:
    words = "salary " * 70  # 490 characters: long, but under the search limit

    (reply,) = await world.command("/qa", f"search {words}")

    title = reply["text"].splitlines()[0]
    assert title.startswith("Search: salary salary") and title.endswith("…")
    assert len(title) < 80


async def test_an_empty_search_gives_an_example_that_works_in_slack(world: SlackWorld) -> None:
    (reply,) = await world.command("/qa", "search")

    assert "Give me some words to search for" in reply["text"]
    assert "/search" not in reply["text"]


async def test_a_headline_set_with_qa_headline_shows_next_to_the_name_in_top(
    world: SlackWorld,
) -> None:
    question = await world.ask("Contract or permanent?")
    await world.reply(question["ts"], "Permanent, for the benefits", user=BOB)

    (reply,) = await world.command("/qa", "headline Staff engineer at Acme", user=BOB)

    assert reply["response_type"] == "ephemeral"
    assert "Staff engineer at Acme" in reply["text"]
    assert "(Staff engineer at Acme)" in block_text(await world.top())


async def test_qa_link_says_a_question_is_not_published(world: SlackWorld) -> None:
    await world.ask("Contract or permanent?")

    (reply,) = await world.command("/qa", "link Q1", user=BOB)

    assert reply["text"] == "Q1 is not published on the web."
