"""A question's page lists the questions like it from a list kept in the store (bot/
similar_lists.py): made when a published question is asked or edited, or at the page's first
view, and made again when the site publishes other channels."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from adapters.web.reader import SiteReader
from bot.domain import ChannelRef, MessageRef, Question
from bot.errors import StoreUnavailable
from bot.service import QAService
from bot.settings import Settings
from bot.web_settings import WebSettings, question_path
from tests.adapters.web.conftest import Community, fetch
from tests.conftest import CHANNEL, TEAM, Board


async def _similar(http: aiohttp.ClientSession, question: Question) -> str:
    status, html = await fetch(http, question_path(question))
    assert status == 200
    return html.split('<h2 id="similar">', 1)[1] if '<h2 id="similar">' in html else ""


async def test_an_edited_question_lists_the_questions_like_its_new_words(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    staff = await board.ask("erin", "How do I get promoted to staff engineer?")
    edited = await board.ask("frank", "Which laptop do you use for work?")
    assert question_path(staff) not in await _similar(http, edited)
    message = MessageRef(CHANNEL, "200.1")
    await board.service.link_question(edited, message=message, thread_key="200.1")
    await board.service.edit_message(TEAM, message, "What gets an engineer promoted to staff?")
    assert question_path(staff) in await _similar(http, edited)


async def test_questions_asked_while_the_web_view_was_off_list_each_other_at_first_view(
    http: aiohttp.ClientSession, community: Community, board: Board, settings: Settings
) -> None:
    off = QAService(store=board.service.store, settings=Settings(), clock=board.clock)
    channel = ChannelRef(TEAM, CHANNEL)
    first = await off.ask(
        asker=board.user("erin"), channel=channel, text="Is a bootcamp worth it for data science?"
    )
    second = await off.ask(
        asker=board.user("frank"), channel=channel, text="Data science bootcamp or a degree?"
    )
    assert question_path(second) in await _similar(http, first)
    assert question_path(first) in await _similar(http, second)


async def test_publishing_more_channels_makes_the_lists_again(
    community: Community, board: Board, settings: Settings
) -> None:
    elsewhere = await board.service.ask(
        asker=board.user("erin"),
        channel=ChannelRef(TEAM, "C2"),
        text="Negotiating a higher salary for a new job offer",
    )
    one = SiteReader(board.service, settings.web)
    page = await one.question(TEAM, community.salary.number)
    assert page is not None and elsewhere.number not in [s.question.number for s in page.similar]
    every = SiteReader(board.service, WebSettings(enabled=True, channels=("slack:T1:*",)))
    page = await every.question(TEAM, community.salary.number)
    assert page is not None and elsewhere.number in [s.question.number for s in page.similar]
    page = await one.question(TEAM, community.salary.number)  # and back
    assert page is not None and elsewhere.number not in [s.question.number for s in page.similar]


async def test_a_list_that_cannot_be_kept_does_not_fail_the_question(
    board: Board, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def unavailable(*_: object, **__: object) -> None:
        raise StoreUnavailable("The answer store is unavailable right now.")

    monkeypatch.setattr(board.service.store, "keep_similar", unavailable)
    with caplog.at_level(logging.ERROR, logger="qabot.service"):
        question = await board.ask("erin", "How do I negotiate a raise?")
    assert (await board.service.get(TEAM, question.post_id)).text == question.text
    assert f"similar questions for {question.post_id}'s page failed" in caplog.text
