"""Slack and store failures: retried where that helps, then a friendly reply and a log line."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from tests.adapters.slack.world import SlackWorld, block_text


async def test_a_slack_server_error_is_retried_and_the_question_posted(world: SlackWorld) -> None:
    world.fake.server_error_next("chat.postMessage", 1)
    posted = await world.ask("Is a 503 the end?")
    assert "Q1" in block_text(posted)
    assert len(world.fake.calls_to("chat.postMessage")) == 2


async def test_a_slack_outage_gives_up_politely_and_leaves_no_question(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.fake.server_error_next("chat.postMessage", 3)
    (reply,) = await world.command("/ask", "Anyone there?")
    (top,) = await world.command("/top", "Q1")
    assert "nothing was posted" in reply["text"] and "Traceback" not in reply["text"]
    assert "no Q1" in top["text"]
    assert len(world.fake.calls_to("chat.postMessage")) == 3  # one try and two retries
    assert "could not post Q1: service_unavailable" in caplog.text


async def test_a_locked_store_is_a_friendly_reply_and_serving_resumes_when_it_frees(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    store = world.service.store
    await store._db.execute("PRAGMA busy_timeout = 50")  # type: ignore[attr-defined]  # fast
    path = world.bot.settings.storage.url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        (reply,) = await world.command("/ask", "Can you hear me?")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "unavailable right now; nothing was changed" in reply["text"]
    assert "SQLite error: database is locked" in caplog.text
    assert world.fake.posted() == []
    posted = await world.ask("And now?")
    assert "Q1" in block_text(posted)  # the refused one took no number and left no row
