"""The bad-input catalogue, through every adapter: console, Slack (bolt) and Discord (discord.py).

Each case is typed (or sent as a payload) the way a person or a broken client would. Whatever it
is, the person gets a clear reply or a silent ignore, a log line is written, nothing that should
not change changes, no stack trace reaches the chat, and the bot keeps serving: every test ends
with an ordinary question that must still be asked.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsoleSession
from bot.service import QAService
from bot.settings import Settings
from storage.sqlite import SqliteStore
from tests.adapters.discord import conftest as discord_fixtures
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.discord.harness import Harness
from tests.adapters.slack import builders
from tests.adapters.slack import conftest as slack_fixtures
from tests.adapters.slack.world import ALICE, SlackWorld, everything_shown

# The Slack and Discord adapters' own fixtures, so each runs here exactly as in its folder.
fake_slack = slack_fixtures.fake_slack
slack_settings = slack_fixtures.slack_settings
store = slack_fixtures.store
world = slack_fixtures.world
fake = discord_fixtures.fake
discord_endpoints = discord_fixtures.discord_endpoints
start_bot = discord_fixtures.start_bot
qa = discord_fixtures.qa

STORED, REFUSED = "stored", "refused"

# What people type as a question: (text, what should happen).
TEXTS: dict[str, tuple[str, str]] = {
    "empty": ("", REFUSED),
    "whitespace only": (" \t  ", REFUSED),
    "4,001 characters": ("x" * 4001, REFUSED),
    "1 MB": ("y" * 1_000_000, REFUSED),
    "NUL": ("before\x00after", REFUSED),
    "control characters": ("ring\x07the\x1bbell", REFUSED),
    "only tags": ("#career #pay", REFUSED),
    "only zero-width characters": ("\u200b\u200c\u200d\u2060\ufeff", REFUSED),
    "a tag that breaks the tag rule": ("Where do I start? #-career", REFUSED),
    "right-to-left override": ("Is this \u202etpircs\u202c a trick?", STORED),
    "zalgo": (
        "Z\u0337\u0321\u0353a\u0338\u0322l\u0335\u0319g\u0336\u0323o asks about jobs",
        STORED,
    ),
    "emoji only": ("🙂🚀🙂", STORED),
    "SQL": ("'); DROP TABLE posts; --", STORED),
    "FTS syntax": ('salary NEAR(offer, 2) OR "x*" AND -y ^z', STORED),
    "mrkdwn and Markdown injection": (
        "<!channel> <!here> <@U123> @everyone [link](javascript:alert(1)) *bold*",
        STORED,
    ),
}
# Ids typed where a question id belongs.
IDS = ["Q0", "Q-1", "Q99999999999999999999", "A1", "Q 1", "QQ1", "'; --", "Q\u0663", "Q\uff11"]
# Where a platform would not even deliver it, a silent ignore is what a user sees.
SILENT = {("slack", "1 MB")}
FAILURE_WORDS = ("Traceback", "Sorry, something went wrong", "Something went wrong", "Error:")


@dataclass
class Outcome:
    reply: str | None  # what the person saw (None: nothing)


class Driver:
    """One adapter, driven the way people drive it; the SQLite file behind it, read directly."""

    name = ""
    db_path: Path

    async def ask(self, text: str) -> Outcome:
        raise NotImplementedError

    async def top_of(self, typed_id: str) -> Outcome:
        raise NotImplementedError

    def rows(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as db:
            posts = db.execute("SELECT kind, number, body, removed FROM posts ORDER BY id")
            votes = db.execute("SELECT * FROM votes ORDER BY post_id, voter_id, emoji")
            return [*posts.fetchall(), *votes.fetchall()]


class ConsoleDriver(Driver):
    name = "console"

    def __init__(self, session: ConsoleSession, db_path: Path) -> None:
        self.session, self.db_path = session, db_path

    async def ask(self, text: str) -> Outcome:
        return Outcome(await self.session.handle(f"/ask {text}"))

    async def top_of(self, typed_id: str) -> Outcome:
        return Outcome(await self.session.handle(f"/top {typed_id}"))

    async def line(self, line: str) -> Outcome:
        return Outcome(await self.session.handle(line))


class SlackDriver(Driver):
    name = "slack"

    def __init__(self, world: SlackWorld, db_path: Path) -> None:
        self.world, self.db_path = world, db_path

    async def ask(self, text: str) -> Outcome:
        return await self._command("/ask", text)

    async def top_of(self, typed_id: str) -> Outcome:
        return await self._command("/top", typed_id)

    async def _command(self, command: str, text: str) -> Outcome:
        key = f"bad{len(self.world.fake.responses)}-{id(text)}"
        fields = builders.slash(
            command, text, user=ALICE, response_url=self.world.fake.response_url(key)
        )
        reply = await self.world.http.command(fields)
        await self.world.settle()
        if reply.status == 413:  # bigger than any payload Slack sends: refused at the door
            return Outcome(None)
        assert reply.status == 200, reply
        texts = [body.get("text", "") for k, body in self.world.fake.responses if k == key]
        if not texts and self.world.fake.calls_to("views.open"):
            return Outcome("(the ask form opened)")
        return Outcome("\n".join(texts) or None)


class DiscordDriver(Driver):
    name = "discord"

    def __init__(self, harness: Harness, fake: FakeDiscord, db_path: Path) -> None:
        self.qa, self.fake, self.db_path = harness, fake, db_path
        self.alice = fake.add_member("alice")

    async def ask(self, text: str) -> Outcome:
        iid = await self.fake.slash(self.alice, "ask", question=text)
        return Outcome((await self.qa.reply(iid))["content"])

    async def top_of(self, typed_id: str) -> Outcome:
        iid = await self.fake.slash(self.alice, "top", question=typed_id)
        return Outcome((await self.qa.reply(iid))["content"])


@pytest.fixture
async def console_driver(tmp_path: Path) -> AsyncIterator[Driver]:
    path = tmp_path / "console.db"
    opened = await SqliteStore.open(path)
    session = ConsoleSession(
        service=QAService(store=opened, settings=Settings()), user="alice", channel="general"
    )
    yield ConsoleDriver(session, path)
    await opened.close()


@pytest.fixture
def slack_driver(world: SlackWorld, slack_settings: Settings) -> Driver:
    return SlackDriver(world, Path(slack_settings.storage.url.removeprefix("sqlite:///")))


@pytest.fixture
def discord_driver(qa: Harness, fake: FakeDiscord) -> Driver:
    return DiscordDriver(qa, fake, Path(qa.settings.storage.url.removeprefix("sqlite:///")))


@pytest.fixture(params=["console", "slack", "discord"])
def driver(request: pytest.FixtureRequest) -> Driver:
    """Each adapter in turn (its own fixtures start only when its turn comes)."""
    found: Driver = request.getfixturevalue(f"{request.param}_driver")
    return found


def assert_friendly(reply: str | None) -> None:
    assert reply, "the person was told nothing"
    assert not any(word in reply for word in FAILURE_WORDS), reply
    assert len(reply) < 600, "a reply is a sentence, not an echo of the input"


async def assert_still_serving(driver: Driver) -> None:
    before = len(driver.rows())
    await driver.ask("Still there after that?")
    assert len(driver.rows()) == before + 1, "the bot no longer stores questions"


def qabot_log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("qabot")]


@pytest.mark.parametrize("case", list(TEXTS))
async def test_a_strange_question_gets_a_clear_answer_and_changes_only_what_it_should(
    driver: Driver, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    text, expected = TEXTS[case]
    before = driver.rows()
    caplog.clear()
    outcome = await driver.ask(text)
    after = driver.rows()
    if expected == STORED:
        assert len(after) == len(before) + 1, "the question was not stored"
        assert after[-1][2] == text.strip(), "the text was changed"
    else:
        assert after == before, "a refused question changed the store"
        if (driver.name, case) not in SILENT:
            assert_friendly(outcome.reply)
            assert qabot_log_lines(caplog), "no log line"
    if isinstance(driver, SlackDriver):
        shown = everything_shown(driver.world)
        assert "<!channel>" not in shown and "<@U123>" not in shown, "a mention would ping"
    await assert_still_serving(driver)


@pytest.mark.parametrize("typed", IDS)
async def test_a_malformed_or_unknown_id_gets_a_clear_answer(
    driver: Driver, typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await driver.ask("A real question to look for")
    before = driver.rows()
    caplog.clear()
    outcome = await driver.top_of(typed)
    assert driver.rows() == before
    assert_friendly(outcome.reply)
    assert outcome.reply is not None and "Top answers" not in outcome.reply
    assert qabot_log_lines(caplog)
    await assert_still_serving(driver)


# ---------------------------------------------------------------- malformed platform input

CONSOLE_LINES = [
    "ask without a slash", "/frobnicate now", "/react", "/react Q1", "/as bad name!", "/answer",
    "/answer Q1", "/accept A99", "/channel", "/" + "z" * 5000,
]  # fmt: skip


@pytest.mark.parametrize("line", CONSOLE_LINES, ids=lambda line: line[:20])
async def test_a_malformed_console_line_is_explained(
    tmp_path: Path, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    opened = await SqliteStore.open(tmp_path / "c.db")
    try:
        session = ConsoleSession(
            service=QAService(store=opened, settings=Settings()), user="alice", channel="general"
        )
        driver = ConsoleDriver(session, tmp_path / "c.db")
        await driver.ask("Is there a Q1?")
        before = driver.rows()
        caplog.clear()
        outcome = await driver.line(line)
        assert driver.rows() == before
        assert_friendly(outcome.reply)
        assert qabot_log_lines(caplog)
        await assert_still_serving(driver)
    finally:
        await opened.close()


def _slack_payloads() -> dict[str, Callable[[], Any]]:
    def reaction_without_item() -> Any:
        envelope = builders.reaction(user=ALICE, name="+1", ts="1.1")
        del envelope["event"]["item"]
        return envelope

    def unknown_event() -> Any:
        return builders.envelope({"type": "team_join", "user": {"id": "U9"}})

    def message_without_channel() -> Any:
        envelope = builders.thread_reply(user=ALICE, text="hi", thread_ts="1.1")
        del envelope["event"]["channel"]
        return envelope

    def reaction_with_numbers() -> Any:
        envelope = builders.reaction(user=ALICE, name="+1", ts="1.1")
        envelope["event"].update(reaction=12, user=34)
        return envelope

    return {
        "reaction without item": reaction_without_item,
        "unknown event type": unknown_event,
        "thread reply without channel": message_without_channel,
        "reaction with numbers for strings": reaction_with_numbers,
        "truncated JSON": lambda: '{"type": "event_callback", "event": {"type": "reac',
        "not JSON": lambda: "\x00\x01binary",
    }


SLACK_PAYLOADS = _slack_payloads()


@pytest.mark.parametrize("case", list(SLACK_PAYLOADS))
async def test_a_malformed_slack_payload_is_ignored_and_logged(
    slack_driver: SlackDriver, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    driver, world = slack_driver, slack_driver.world
    await driver.ask("A real question")
    before = driver.rows()
    caplog.clear()
    payload = SLACK_PAYLOADS[case]()
    if isinstance(payload, str):
        reply = await world.http.post_raw(
            payload, world.http.headers(payload, content_type="application/json")
        )
    else:
        reply = await world.http.event(payload)
    await world.settle()
    assert reply.status < 500, reply
    assert "Traceback" not in reply.text
    assert driver.rows() == before
    assert [r for r in caplog.records if r.name.startswith("qabot")], "no log line"
    await assert_still_serving(driver)


# event, payload, and the log line it leaves (discord.py's own for an event it does not know).
DISCORD_DISPATCHES: dict[str, tuple[str, dict[str, Any], str]] = {
    "unknown event type": ("SOMETHING_NEW", {"id": "1"}, "Unknown event SOMETHING_NEW"),
    "reaction without emoji": ("MESSAGE_REACTION_ADD", {"user_id": "5", "channel_id": "6",
                               "message_id": "7", "guild_id": "8"},
                               "ignored a malformed MESSAGE_REACTION_ADD event"),
    "reaction in an unknown guild": ("MESSAGE_REACTION_ADD", {
        "user_id": "5", "channel_id": "6", "message_id": "7", "guild_id": "999",
        "emoji": {"id": None, "name": "👍"}, "type": 0, "burst": False},
        "ignored: That message is not a question or an answer"),
    "interaction with no data": ("INTERACTION_CREATE", {"id": "11", "type": 2, "token": "t",
                                 "application_id": "1", "version": 1},
                                 "ignored a malformed INTERACTION_CREATE event"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DISCORD_DISPATCHES))
async def test_a_malformed_discord_event_is_ignored_and_the_bot_stays_up(
    discord_driver: DiscordDriver, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    driver, fake = discord_driver, discord_driver.fake
    await driver.ask("A real question")
    before = driver.rows()
    event, data, logged = DISCORD_DISPATCHES[case]
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    await fake.dispatch(event, json.loads(json.dumps(data)))
    await assert_still_serving(driver)
    assert logged in caplog.text
    assert driver.rows()[: len(before)] == before
