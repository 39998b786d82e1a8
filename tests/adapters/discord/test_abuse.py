"""Discord: a reaction storm stops moving the score; the log says why (no private reply exists)."""

from __future__ import annotations

import logging

import pytest

from .fake_discord import FakeDiscord
from .harness import Harness, eventually


async def test_an_add_remove_storm_stops_moving_the_score(
    qa: Harness, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Should I relocate for a job?")
    answer = await qa.answer(bob, asked, "Only with a relocation package.")
    for _ in range(2):
        await fake.react(carol, answer, "👍")
        await fake.unreact(carol, answer, "👍")
    await fake.react(carol, answer, "👍")
    await eventually(lambda: "not counted: rate limited" in caplog.text)
    await qa.ranked_as(alice, ["+0 bob"])
