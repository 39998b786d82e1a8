"""When the web view is on, chat points at it: `/top` and digests link each published answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.console import ConsoleSession
from adapters.console.surfacing import render_digest
from bot.digest_schedule import DigestTarget
from bot.domain import TopQuery, Window
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import WebSettings
from tests.adapters.console.test_session import last
from tests.adapters.web.conftest import Community, qa
from tests.conftest import CHANNEL, TEAM, Board

PAGE = "http://127.0.0.1:8080/q/slack/T1/1/how-do-i-negotiate-a-higher-salary-for"


@pytest.fixture
def console_settings(settings: Settings) -> Settings:
    return replace(settings, web=WebSettings(enabled=True, channels=("console:local:general",)))


async def test_top_in_the_console_links_each_answer_to_its_page(
    board: Board, console_settings: Settings
) -> None:
    service = QAService(store=board.service.store, settings=console_settings, clock=board.clock)
    session = ConsoleSession(service=service, user="you", channel="general")
    lines = ["/ask Remote or office?", "/as bob", "/answer Q1 Remote, for focus.", "/top all"]
    reply = await last(session, lines)
    assert "    on the web: http://127.0.0.1:8080/q/console/local/1/remote-or-office#a1" in reply


async def test_a_digest_links_each_published_answer_to_its_page(
    board: Board, community: Community
) -> None:
    digest = await board.service.digest(DigestTarget(TEAM, CHANNEL), due_at=board.clock())
    text = render_digest(digest)
    assert f"    on the web: {PAGE}#a1" in text
    assert f"    on the web: {PAGE}#a2" in text


async def test_top_leaves_out_the_link_of_a_hidden_question(
    board: Board, community: Community
) -> None:
    await qa(board, "alice", "web hide Q1")
    query = TopQuery(channel_id=CHANNEL, window=Window.ALL)
    ranked = await board.service.top(workspace=TEAM, query=query, seen_from=CHANNEL)
    links = {entry.question.number: entry.page_url for entry in ranked}
    assert links[1] == "" and links[2].startswith("http://127.0.0.1:8080/q/slack/T1/2/")
