"""`/ask` with no text opens a form; the Answer button opens another; anonymous means anonymous."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID
from tests.adapters.slack.world import (
    ALICE,
    BOB,
    CAROL,
    PEOPLE,
    SlackWorld,
    block_text,
    everything_shown,
)


def _ask_form(text: str, *, tags: str = "", anonymous: bool = False) -> dict[str, Any]:
    selected = [{"value": "anonymous"}] if anonymous else []
    values = {
        "question": {"text": {"type": "plain_text_input", "value": text}},
        "tags": {"text": {"type": "plain_text_input", "value": tags or None}},
        "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": selected}},
    }
    return builders.view_submission(
        callback_id="qabot_ask_form", values=values, private_metadata=CHANNEL_ID, user=ALICE
    )


async def test_ask_without_text_opens_the_form(world: SlackWorld) -> None:
    await world.command("/ask", "")

    (call,) = world.fake.calls_to("views.open")
    view = call.params["view"]
    assert call.params["trigger_id"] and view["private_metadata"] == CHANNEL_ID
    assert [b["block_id"] for b in view["blocks"]] == ["question", "tags", "anonymous"]
    assert world.fake.posted() == []


async def test_submitted_form_posts_the_question_with_its_tags(world: SlackWorld) -> None:
    await world.interaction(_ask_form("How do I prepare for system design?", tags="#interviews"))

    (posted,) = world.fake.posted(CHANNEL_ID)
    text = block_text(posted)
    assert "Q1" in text and "Alice Asker" in text and "#interviews" in text


async def test_anonymous_form_ask_names_nobody(world: SlackWorld) -> None:
    await world.interaction(_ask_form("Am I underpaid?", anonymous=True))

    (posted,) = world.fake.posted(CHANNEL_ID)
    assert "Anonymous" in block_text(posted)
    shown = everything_shown(world)
    assert PEOPLE[ALICE] not in shown and ALICE not in shown


async def test_anonymous_ask_shows_no_name_anywhere(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    question = await world.ask("How do I tell my manager I want to switch teams? --anon #career")
    answer = await world.reply(question["ts"], "Frame it as growth", user=BOB)
    await world.react(answer, "+1", user=CAROL)
    await world.react(answer, "white_check_mark", user=ALICE)
    await world.top()
    await world.command("/qa", "search manager")

    assert "Anonymous" in block_text(question) and "--anon" not in block_text(question)
    shown = everything_shown(world)
    assert PEOPLE[ALICE] not in shown and ALICE not in shown
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("qabot")]
    assert logged and not [line for line in logged if ALICE in line or PEOPLE[ALICE] in line]
    assert "✅ accepted" in block_text(await world.top())  # the asker could still accept


async def test_answer_button_opens_a_form_whose_answer_lands_in_the_thread(
    world: SlackWorld,
) -> None:
    question = await world.ask("Which cloud cert first?")
    url = world.fake.response_url("click")
    click = builders.block_action(
        action_id="qabot_answer", value="Q1", user=BOB, message_ts=question["ts"], response_url=url
    )
    await world.interaction(click)
    (opened,) = world.fake.calls_to("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "qabot_answer_form" and "Q1" in view["title"]["text"]

    values = {"answer": {"text": {"type": "plain_text_input", "value": "AWS SAA"}}}
    submit = builders.view_submission(
        callback_id="qabot_answer_form",
        values=values,
        private_metadata=view["private_metadata"],
        user=BOB,
    )
    await world.interaction(submit)

    posted = world.fake.posted(CHANNEL_ID)[-1]
    assert posted["thread_ts"] == question["ts"]
    assert "A1" in block_text(posted) and "Bob Builder" in block_text(posted)
    await world.react(posted["ts"], "+1", user=CAROL)  # votes on the bot's copy count for Bob
    await world.react(posted["ts"], "+1", user=BOB)  # ... and Bob cannot vote for himself
    assert "*+1*" in block_text(await world.top())
