"""When the web view is on, chat points at it: `/top` and digests link each published answer on
every platform's renderer, and `/qa link Q<n>` answers with the page; when it is off, or the
question is not published, no link."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from adapters.console import ConsoleSession
from adapters.console.surfacing import render_digest
from adapters.discord import render as discord_render
from adapters.discord import surfacing as discord_surfacing
from adapters.slack import render as slack_render
from adapters.slack import surfacing as slack_surfacing
from bot.digest_schedule import DigestTarget
from bot.domain import RankedAnswer, TopQuery, Window
from bot.replies import Digest
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import WebSettings
from bot.web_verbs import run_link
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


async def _ranked(service: QAService) -> list[RankedAnswer]:
    query = TopQuery(channel_id=CHANNEL, window=Window.ALL)
    return list(await service.top(workspace=TEAM, query=query, seen_from=CHANNEL))


def _web_off(board: Board) -> QAService:
    settings = replace(board.service.settings, web=WebSettings())
    return QAService(store=board.service.store, settings=settings, clock=board.clock)


def _slack_top(ranked: list[RankedAnswer]) -> str:
    rendered = slack_render.top_message(ranked, title="Top", team_url="", share_value=None)
    return json.dumps(rendered.blocks)


def _discord_top(ranked: list[RankedAnswer]) -> str:
    query = TopQuery(channel_id=CHANNEL, window=Window.ALL)
    embed = discord_render.top_embed(TEAM.workspace_id, ranked, query, channel_name="#general")
    return json.dumps(embed.to_dict())


@pytest.mark.parametrize(
    ("render", "link"),
    [(_slack_top, f"<{PAGE}#a1|on the web>"), (_discord_top, f"[on the web]({PAGE}#a1)")],
    ids=["slack", "discord"],
)
async def test_top_on_slack_and_discord_links_answers_only_when_the_web_view_is_on(
    board: Board, community: Community, render: Callable[[list[RankedAnswer]], str], link: str
) -> None:
    assert link in render(await _ranked(board.service))
    assert "on the web" not in render(await _ranked(_web_off(board)))


def _slack_digest(digest: Digest) -> str:
    return json.dumps(slack_surfacing.digest_message(digest, team_url="").blocks)


def _discord_digest(digest: Digest) -> str:
    return json.dumps(discord_surfacing.digest_embed(digest, TEAM.workspace_id).to_dict())


@pytest.mark.parametrize(
    ("render", "link"),
    [(_slack_digest, f"<{PAGE}#a2|on the web>"), (_discord_digest, f"[on the web]({PAGE}#a2)")],
    ids=["slack", "discord"],
)
async def test_digests_on_slack_and_discord_link_answers_only_when_the_web_view_is_on(
    board: Board, community: Community, render: Callable[[Digest], str], link: str
) -> None:
    target = DigestTarget(TEAM, CHANNEL)
    assert link in render(await board.service.digest(target, due_at=board.clock()))
    assert "on the web" not in render(await _web_off(board).digest(target, due_at=board.clock()))


async def test_qa_link_replies_with_the_page_or_says_it_is_not_published(
    board: Board, community: Community
) -> None:
    assert await qa(board, "bob", "link Q1") == f"Q1: {PAGE}"
    await qa(board, "alice", "web hide Q1")
    assert await qa(board, "bob", "link Q1") == "Q1 is not published on the web."
    off = _web_off(board)
    reply = await run_link(off, user=board.user("bob"), rest="Q2")
    assert reply.sentence == "Q2 is not published on the web."
