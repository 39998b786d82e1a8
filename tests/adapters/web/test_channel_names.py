"""Channels on the web view go by the names chat showed for them, in real Chromium: the front
page's links, a channel's heading and title, a question's "in #channel"; a channel whose name
was never seen shows its id; a private channel's name is on no page."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from bot.domain import ChannelRef
from bot.settings import ModeratorSettings, Settings
from bot.web_settings import WebSettings, question_path
from tests.adapters.web.conftest import Community
from tests.conftest import MODERATOR, TEAM, Board

PRIVATE_NAME = "secret-salaries"


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    channels = getattr(request, "param", ("slack:T1:*",))
    web = WebSettings(enabled=True, channels=channels, title="Career answers")
    return Settings(moderators=ModeratorSettings(slack=(MODERATOR,)), web=web)


@pytest.fixture
async def named(board: Board, community: Community) -> Community:
    """The community, with the names chat showed for its channels (as the adapters record
    them), and the private channel's name in the store as if it had been learnt somehow."""
    names = board.service.channel_names
    await names.saw(ChannelRef(TEAM, "C1"), "career-advice")
    await names.saw(ChannelRef(TEAM, "C2"), "#hiring")
    await board.service.store.set_channel_name(TEAM, "CPRIV", PRIVATE_NAME)
    return community


async def _open(page: Page, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == 200, url


async def test_the_front_page_links_each_channel_by_its_name(
    page: Page, site: str, named: Community
) -> None:
    await _open(page, site + "/")
    links = page.get_by_role("navigation", name="Channels").get_by_role("link")
    assert await links.all_inner_texts() == ["#career-advice", "#hiring"]
    await page.get_by_role("link", name="#career-advice").click()
    await page.wait_for_url("**/c/slack/T1/C1")
    assert await page.locator("h1").inner_text() == "Questions in #career-advice"
    assert (await page.title()).startswith("Questions in #career-advice")


async def test_a_questions_page_names_its_channel(page: Page, site: str, named: Community) -> None:
    await _open(page, site + question_path(named.salary))
    channel = page.locator("article.question .meta a")
    assert await channel.inner_text() == "#career-advice"
    assert await channel.get_attribute("href") == "/c/slack/T1/C1"


async def test_a_channel_whose_name_was_never_seen_shows_its_id(
    page: Page, site: str, named: Community, board: Board
) -> None:
    await board.ask("erin", "Is a bootcamp worth it?", channel="C3")
    await _open(page, site + "/")
    links = page.get_by_role("navigation", name="Channels").get_by_role("link")
    assert await links.all_inner_texts() == ["#C3", "#career-advice", "#hiring"]


async def test_a_private_channels_name_is_on_no_page(
    page: Page, site: str, named: Community
) -> None:
    paths = ["/", question_path(named.salary), "/c/slack/T1/C1", "/c/slack/T1/C2",
             "/search?q=salary", "/sitemap.xml"]  # fmt: skip
    for path in paths:
        await page.goto(site + path)
        assert PRIVATE_NAME not in await page.content(), path
        assert "CPRIV" not in await page.content(), path
    response = await page.goto(site + "/c/slack/T1/CPRIV")
    assert response is not None and response.status == 404
    assert PRIVATE_NAME not in await page.content()


@pytest.mark.parametrize("settings", [("slack:T1:C1", "slack:T1:CPRIV")], indirect=True)
async def test_a_private_channel_listed_by_mistake_stays_off_the_site(
    page: Page, site: str, named: Community
) -> None:
    await _open(page, site + "/")
    links = page.get_by_role("navigation", name="Channels").get_by_role("link")
    assert await links.all_inner_texts() == ["#career-advice"]
    assert PRIVATE_NAME not in await page.content()
    response = await page.goto(site + "/c/slack/T1/CPRIV")
    assert response is not None and response.status == 404
    assert PRIVATE_NAME not in await page.content()
