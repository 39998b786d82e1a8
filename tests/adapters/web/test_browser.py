"""The web view in real Chromium: what a person sees and follows, the JSON-LD, and an
accessibility smoke test."""

from __future__ import annotations

import json

from playwright.async_api import Page

from bot.web_settings import question_path
from tests.adapters.web.conftest import HEADLINE, SECRET_ASKER, Community


async def _open(page: Page, url: str) -> int:
    response = await page.goto(url)
    assert response is not None
    return response.status


async def test_the_accepted_answer_comes_first_with_its_badge_then_the_top_answer(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + question_path(community.salary))
    answers = page.locator("article.answer")
    assert await answers.count() == 2
    assert await answers.nth(0).locator(".badge").inner_text() == "✓ Accepted answer"
    assert "Get the offer in writing <script>" in await answers.nth(0).inner_text()
    assert "Know your market rate first." in await answers.nth(1).inner_text()
    assert "↑ 2" in await answers.nth(1).locator(".votes").inner_text()


async def test_the_askers_headline_shows_next_to_the_question(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + question_path(community.salary))
    assert await page.locator("article.question .who").inner_text() == HEADLINE


async def test_a_question_linked_from_the_front_page_opens_its_page(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + "/")
    await page.get_by_role("link", name="How do I negotiate a higher salary").first.click()
    await page.wait_for_url(f"**{question_path(community.salary)}*")
    assert await page.locator("h1").inner_text() == (
        "How do I negotiate a higher salary for a new job offer?"
    )


async def test_the_channel_link_opens_the_channels_questions(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + "/")
    await page.get_by_role("link", name="#C1").click()
    await page.wait_for_url("**/c/slack/T1/C1")
    titles = await page.locator("ul.questions a").all_inner_texts()
    assert len(titles) == 2


async def test_searching_from_the_form_lists_the_matching_published_question(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + "/")
    await page.get_by_label("Search questions").fill("salary")
    await page.get_by_role("button", name="Search").click()
    await page.wait_for_url("**/search?q=salary")
    titles = await page.locator("ul.questions a").all_inner_texts()
    assert titles == ["How do I negotiate a higher salary for a new job offer?"]


async def test_an_unpublished_question_shows_the_not_found_page(
    page: Page, site: str, community: Community
) -> None:
    status = await _open(page, site + question_path(community.private))
    assert status == 404
    assert await page.locator("h1").inner_text() == "Page not found"
    assert "private" not in (await page.content()).lower()


async def test_an_anonymous_askers_name_is_nowhere_in_the_page(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + question_path(community.interviewing))
    assert await page.locator("article.question .who").inner_text() == "Anonymous"
    assert SECRET_ASKER.lower() not in (await page.content()).lower()
    assert SECRET_ASKER.lower() not in (await page.title()).lower()


async def test_the_json_ld_says_what_the_page_says(
    page: Page, site: str, community: Community
) -> None:
    url = site + question_path(community.salary)
    await _open(page, url)
    data = json.loads(await page.locator('script[type="application/ld+json"]').inner_text())
    question = data["mainEntity"]
    assert data["@type"] == "QAPage" and question["@type"] == "Question"
    assert question["name"] == await page.locator("h1").inner_text()
    assert question["author"]["name"] == HEADLINE and question["answerCount"] == 2
    accepted, suggested = question["acceptedAnswer"], question["suggestedAnswer"]
    assert accepted["url"] == f"{url}#a2" and accepted["text"].startswith("Get the offer")
    assert [(s["text"], s["upvoteCount"]) for s in suggested] == [
        ("Know your market rate first.", 2)
    ]
    assert await page.locator("#a2 .badge").count() == 1


async def test_the_anonymous_asker_is_anonymous_in_the_json_ld(
    page: Page, site: str, community: Community
) -> None:
    await _open(page, site + question_path(community.interviewing))
    data = json.loads(await page.locator('script[type="application/ld+json"]').inner_text())
    assert data["mainEntity"]["author"] == {"@type": "Person", "name": "Anonymous"}


async def test_pages_pass_an_accessibility_smoke_test(
    page: Page, site: str, community: Community
) -> None:
    for path in ("/", question_path(community.salary), "/c/slack/T1/C1", "/search?q=offer"):
        await _open(page, site + path)
        assert await page.locator("html").get_attribute("lang") == "en", path
        assert await page.locator("h1").count() == 1, path
        for role in ("banner", "main", "contentinfo", "search"):
            assert await page.get_by_role(role).count() == 1, (path, role)
        links = await page.locator("a").all_inner_texts()
        assert all(text.strip() for text in links), path
        assert await page.get_by_label("Search questions").count() == 1, path
