"""Who the web view names, and how: the display rule, forgetme, `/qa web names`, `/qa web
hide|show`, `/qa link`, and chat mentions as plain text."""

from __future__ import annotations

import json

import aiohttp
import pytest

from bot.errors import NotAllowed
from bot.web_settings import question_path
from tests.adapters.web.conftest import HEADLINE, Community, fetch, qa
from tests.conftest import Board


async def _shown(http: aiohttp.ClientSession, community: Community) -> str:
    _, html = await fetch(http, question_path(community.salary))
    return html


async def test_people_show_by_their_headline_by_default(
    http: aiohttp.ClientSession, community: Community
) -> None:
    html = await _shown(http, community)
    assert f'Asked by <span class="who">{HEADLINE}</span>' in html
    assert "Alice" not in html


async def test_a_person_without_a_headline_is_a_member(
    http: aiohttp.ClientSession, community: Community
) -> None:
    assert '<span class="who">A member</span>' in await _shown(http, community)


async def test_web_names_on_shows_the_persons_name_with_their_headline(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    reply = await qa(board, "alice", "web names on")
    assert "shows your name" in reply
    assert f'<span class="who">Alice ({HEADLINE})</span>' in await _shown(http, community)


async def test_a_forgotten_person_appears_as_anonymous(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    await qa(board, "alice", "web names on")
    await board.service.forget_me(user=board.user("alice"), confirmed=True)
    html = await _shown(http, community)
    assert 'Asked by <span class="who">Anonymous</span>' in html
    assert "Alice" not in html and HEADLINE not in html


async def test_web_hide_by_the_asker_takes_the_page_down_and_show_puts_it_back(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    path = question_path(community.salary)
    await qa(board, "alice", "web hide Q1")
    hidden, _ = await fetch(http, path)
    _, sitemap = await fetch(http, "/sitemap.xml")
    await qa(board, "alice", "web show Q1")
    shown, _ = await fetch(http, path)
    assert (hidden, shown) == (404, 200)
    assert path not in sitemap


async def test_someone_else_cannot_hide_a_question(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    with pytest.raises(NotAllowed, match="Only the asker or a moderator"):
        await qa(board, "mallory", "web hide Q1")
    status, _ = await fetch(http, question_path(community.salary))
    assert status == 200


async def test_qa_link_replies_with_the_questions_url(community: Community, board: Board) -> None:
    reply = await qa(board, "bob", "link Q1")
    assert reply == f"Q1: http://127.0.0.1:8080{question_path(community.salary)}"


async def test_qa_link_says_an_unpublished_question_is_not_published(
    community: Community, board: Board
) -> None:
    reply = await qa(board, "bob", f"link {community.unlisted.post_id}")
    assert reply == f"{community.unlisted.post_id} is not published on the web."


async def test_mentions_show_as_plain_text_never_user_ids(
    http: aiohttp.ClientSession, board: Board
) -> None:
    asked = await board.ask("alice", "Should I ask <@U0SECRET> or <!here> in <#C9|jobs> first?")
    _, html = await fetch(http, question_path(asked))
    assert "Should I ask @member or @here in #jobs first?" in html
    assert "U0SECRET" not in html


async def test_mydata_includes_the_web_names_choice(board: Board) -> None:
    await qa(board, "alice", "web names off")
    export = await board.service.my_data(user=board.user("alice"))
    assert json.loads(export.json_text)["web_names"] is False
