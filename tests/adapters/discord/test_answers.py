"""Answers: messages in the question's thread, or the Answer button's form; edits and deletions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .fake_discord import FakeDiscord
from .harness import Asked, Harness, eventually

Json = dict[str, Any]


async def answer_with_form(
    qa: Harness, fake: FakeDiscord, user: Json, asked: Asked, text: str
) -> Json:
    """Click Answer, fill in the form Discord shows, submit; return the bot's reply."""
    click = await fake.click(
        user, asked.message, asked.message["components"][0]["components"][0]["custom_id"]
    )
    await eventually(lambda: fake.response(click) is not None)
    form = fake.response(click)
    assert form is not None and form["type"] == 9  # a modal
    field = form["data"]["components"][0]["components"][0]["custom_id"]
    submit = await fake.submit_modal(user, asked.thread, form["data"]["custom_id"], {field: text})
    return await qa.reply(submit)


async def test_thread_messages_are_answers(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Frontend or backend?")
    await qa.answer(bob, asked, "Backend; the fundamentals travel further.")
    await qa.ranked_as(alice, ["+0 bob"])


async def test_messages_outside_question_threads_are_not_answers(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Frontend or backend?")
    await fake.user_message(fake.general, bob, "lunch anyone?")
    await qa.answer(bob, asked, "Backend.")
    await qa.ranked_as(alice, ["+0 bob"])


async def test_answer_form_posts_in_the_thread_attributed_to_its_author(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    qa = await start_bot(message_content=False)
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Is a master's degree worth it?")
    reply = await answer_with_form(qa, fake, bob, asked, "Only if your employer pays.")
    assert "A1" in reply["content"] and reply["flags"] & 64
    posted = fake.bot_calls("POST", rf"/channels/{asked.thread['id']}/messages")[-1]
    assert (
        "from **bob**" in posted.body["content"]
        and "Only if your employer pays." in posted.body["content"]
    )
    message = next(m for m in fake.messages.values() if m["content"] == posted.body["content"])
    await fake.react(carol, message, "👍")  # counts for bob, although the bot posted it
    await fake.react(bob, message, "👍")  # bob's own answer: does not count
    await qa.ranked_as(alice, ["+1 bob"])


async def test_without_message_content_thread_text_is_not_read(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    qa = await start_bot(message_content=False)
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Is a master's degree worth it?")
    await fake.user_message(asked.thread, bob, "Depends.")  # arrives blank, as on Discord
    await answer_with_form(qa, fake, alice, asked, "Answering my own question with the form.")
    await qa.ranked_as(alice, ["+0 alice"])
    assert fake.identified_intents is not None and not fake.identified_intents & (1 << 15)


async def test_edited_answer_shows_its_new_text(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "How do I ask for a promotion?")
    answer = await qa.answer(bob, asked, "Just ask.")
    await fake.user_edit(answer, "Bring evidence of impact, then ask.")

    async def updated() -> bool:
        fields = (await qa.top(alice))["embeds"][0]["fields"]
        return "Bring evidence of impact" in fields[0]["value"]

    await eventually(updated)


async def test_deleted_answer_leaves_the_ranking(qa: Harness, fake: FakeDiscord) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "How do I ask for a promotion?")
    gone = await qa.answer(bob, asked, "Threaten to leave.")
    await qa.answer(carol, asked, "Bring evidence of impact.")
    await fake.react(alice, gone, "👍")
    await qa.ranked_as(alice, ["+1 bob", "+0 carol"])
    await fake.user_delete(gone)
    await qa.ranked_as(alice, ["+0 carol"])


async def test_too_long_thread_answer_gets_a_friendly_reply_and_is_not_stored(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    qa = await start_bot(extra_toml="[limits]\nmax_text_chars = 40\n")
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    asked = await qa.ask(alice, "Short question?")
    await fake.user_message(asked.thread, bob, "x" * 41)
    call = await fake.wait_for_call("POST", rf"/channels/{asked.thread['id']}/messages")
    assert "limit is 40" in call.body["content"]
    assert "Traceback" not in call.body["content"]
    await qa.ranked_as(alice, [])
