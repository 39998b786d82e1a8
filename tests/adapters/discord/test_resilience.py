"""What Discord does to a bot in production: drops, rate limits, late events, bad set-ups."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from adapters.discord.runtime import run_discord
from bot.errors import SettingsError
from bot.service import QAService
from bot.settings import Settings
from storage import open_store

from .fake_discord import FakeDiscord
from .harness import Harness


async def test_votes_during_a_gateway_drop_count_after_resume(
    qa: Harness, fake: FakeDiscord
) -> None:
    alice, bob, carol = fake.add_member("alice"), fake.add_member("bob"), fake.add_member("carol")
    asked = await qa.ask(alice, "Contract or permanent?")
    answer = await qa.answer(bob, asked, "Permanent while you learn.")
    await fake.drop()
    await fake.react(carol, answer, "👍")  # Discord replays it on RESUME
    await fake.wait_connected()
    await qa.ranked_as(alice, ["+1 bob"])
    assert (
        fake.gateway_ops.count(2) == 1 and fake.gateway_ops.count(6) == 1
    )  # resumed, not re-identified


async def test_rate_limited_thread_creation_is_retried(qa: Harness, fake: FakeDiscord) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages/\d+/threads", retry_after=0.05)
    alice = fake.add_member("alice")
    asked = await qa.ask(alice, "Is it fine to job-hop every year?")
    statuses = [c.status for c in fake.bot_calls("POST", r"/channels/\d+/messages/\d+/threads")]
    assert statuses == [429, 201]
    assert asked.thread["parent_id"] == fake.general["id"]


async def test_interaction_that_arrives_too_late_changes_nothing(
    qa: Harness, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake.add_member("alice")
    with caplog.at_level(logging.WARNING, logger="qabot.discord"):
        late = await fake.slash(alice, "ask", question="Too late?", age=3.5)
        await fake.wait_for_call("POST", rf"/interactions/{late}/.+/callback")
        await asyncio.sleep(0.05)
    assert fake.response(late) is None  # Discord answered 404 Unknown interaction
    assert "expired" in caplog.text
    asked = await qa.ask(alice, "On time?")
    assert "Q1" in asked.reply["content"]  # the late question was never stored


async def test_bot_token_never_reaches_the_logs(
    qa: Harness, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    with caplog.at_level(logging.DEBUG):
        asked = await qa.ask(alice, "Logs?")
        answer = await qa.answer(bob, asked, "Structured ones.")
        await fake.react(alice, answer, "👍")
        await qa.ranked_as(alice, ["+1 bob"])
    assert fake.token not in caplog.text


async def _run(settings: Settings, tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'start.db'}")
    try:
        await asyncio.wait_for(run_discord(settings, QAService(store=store, settings=settings)), 10)
    finally:
        await store.close()


async def test_wrong_token_stops_with_one_clear_line(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None
) -> None:
    settings = Harness.settings_for(fake, tmp_path / "x.db", message_content=False)
    wrong = dataclasses.replace(settings.secrets, discord_token="not-the-token")
    with pytest.raises(SettingsError, match="Reset Token") as error:
        await _run(dataclasses.replace(settings, secrets=wrong), tmp_path)
    assert "\n" not in str(error.value) and "not-the-token" not in str(error.value)


async def test_missing_message_content_intent_stops_with_one_clear_line(
    fake: FakeDiscord, tmp_path: Path, discord_endpoints: None
) -> None:
    fake.message_content_allowed = False  # the portal's switch is off
    settings = Harness.settings_for(fake, tmp_path / "x.db", message_content=True)
    with pytest.raises(SettingsError, match="Message Content Intent"):
        await _run(settings, tmp_path)


async def test_start_without_message_content_works_when_the_portal_forbids_it(
    start_bot: Callable[..., Awaitable[Harness]], fake: FakeDiscord
) -> None:
    fake.message_content_allowed = False
    qa = await start_bot(message_content=False)
    assert qa.client.is_ready()


def test_adapter_entry_imports_without_discord_installed() -> None:
    """`qabot` imports the entry point on console-only installs: discord.py must load lazily."""
    code = "import sys; sys.modules['discord'] = None; import adapters.discord"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
