"""The web view over HTTP: what is published, what answers 404, junk, headers, the sitemap."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.web_settings import question_path
from tests.adapters.web.conftest import SECRET_ASKER, Community, fetch, qa
from tests.conftest import Board


async def test_a_published_question_has_a_page_at_its_canonical_url(
    http: aiohttp.ClientSession, community: Community, site: str
) -> None:
    path = question_path(community.salary)
    status, html = await fetch(http, path)
    assert status == 200
    assert path == "/q/slack/T1/1/how-do-i-negotiate-a-higher-salary-for"
    assert f'<link rel="canonical" href="{site}{path}">' in html


@pytest.mark.parametrize("kind", ["private", "unlisted", "hidden", "removed"])
async def test_an_unpublished_question_answers_the_same_404_as_an_unknown_one(
    http: aiohttp.ClientSession, community: Community, kind: str
) -> None:
    question = getattr(community, kind)
    status, html = await fetch(http, question_path(question))
    unknown_status, unknown = await fetch(http, "/q/slack/T1/999/anything")
    assert (status, unknown_status) == (404, 404)
    assert html == unknown
    assert "salary" not in html.lower()


async def test_a_wrong_slug_serves_the_page_without_redirecting(
    http: aiohttp.ClientSession, community: Community
) -> None:
    status, html = await fetch(http, "/q/slack/T1/1/whatever")
    assert status == 200
    assert "/q/slack/T1/1/how-do-i-negotiate" in html


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/q/slack/T1/1x/slug", 404),
        ("/q/slack/T1/00000000000000000000001/slug", 404),
        ("/q/slack/T9/1/slug", 404),
        ("/c/slack/T1/C1?window=forever", 400),
        ("/c/slack/T1/C1?solved=maybe", 400),
        ("/t/%3Cscript%3E", 404),
        ("/search?q=salary%20AND%20(%22offer*%20NEAR", 200),
        ("/search?q=" + "x" * 600, 400),
        ("/no/such/page", 404),
    ],
)
async def test_junk_in_a_url_gets_a_friendly_4xx_page(
    http: aiohttp.ClientSession, community: Community, path: str, status: int
) -> None:
    got, html = await fetch(http, path)
    assert got == status
    assert "<h1>" in html and "Traceback" not in html


async def test_a_100_kb_query_is_refused_quickly_with_a_4xx(
    http: aiohttp.ClientSession, community: Community
) -> None:
    got, _ = await fetch(http, "/search?q=" + "y" * 100_000)
    assert 400 <= got < 500


async def test_every_page_forbids_scripts(
    http: aiohttp.ClientSession, community: Community
) -> None:
    for path in ("/", question_path(community.salary), "/nothing", "/sitemap.xml"):
        async with http.get(path) as response:
            policy = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "unsafe-inline" not in policy


async def test_a_crawler_revisiting_an_unchanged_page_gets_304(
    http: aiohttp.ClientSession, community: Community
) -> None:
    path = question_path(community.salary)
    async with http.get(path) as first:
        etag = first.headers["ETag"]
    async with http.get(path, headers={"If-None-Match": etag}) as again:
        assert again.status == 304


async def test_the_sitemap_lists_each_published_question_once_with_lastmod(
    http: aiohttp.ClientSession, community: Community, site: str
) -> None:
    _, xml = await fetch(http, "/sitemap.xml")
    questions = re.findall(r"<loc>([^<]*/q/[^<]*)</loc><lastmod>\d{4}-\d\d-\d\d</lastmod>", xml)
    expected = [community.interviewing, community.salary]
    assert sorted(questions) == sorted(site + question_path(q) for q in expected)


async def test_an_answer_posted_later_moves_its_questions_sitemap_lastmod(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    board.clock.advance(days=3)
    await board.answer("carol", community.interviewing, "Only once you have signed.")
    _, xml = await fetch(http, "/sitemap.xml")
    lastmod = dict(re.findall(r"<loc>[^<]*(/q/[^<]*)</loc><lastmod>([^<]*)</lastmod>", xml))
    assert lastmod[question_path(community.interviewing)] == "2026-03-05"
    assert lastmod[question_path(community.salary)] == "2026-03-02"


async def test_robots_txt_allows_the_pages_and_names_the_sitemap(
    http: aiohttp.ClientSession, site: str
) -> None:
    _, text = await fetch(http, "/robots.txt")
    assert "Allow: /" in text and f"Sitemap: {site}/sitemap.xml" in text


async def test_an_anonymous_askers_name_is_on_no_page(
    http: aiohttp.ClientSession, community: Community
) -> None:
    paths = ["/", question_path(community.interviewing), "/c/slack/T1/C1", "/t/career",
             "/search?q=manager", "/sitemap.xml"]  # fmt: skip
    for path in paths:
        _, html = await fetch(http, path)
        assert SECRET_ASKER.lower() not in html.lower(), path
    _, page = await fetch(http, question_path(community.interviewing))
    assert 'Asked by <span class="who">Anonymous</span>' in page


async def test_a_question_holding_a_script_tag_shows_it_as_text(
    http: aiohttp.ClientSession, community: Community
) -> None:
    _, html = await fetch(http, question_path(community.salary))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


async def test_a_questions_page_lists_published_similar_questions(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    like = await board.ask("erin", "How should I negotiate salary for a job offer?")
    hidden = await board.ask("erin", "Negotiate a higher salary offer, hidden")
    await qa(board, "erin", f"web hide {hidden.post_id}")
    _, html = await fetch(http, question_path(community.salary))
    similar = html.split('<h2 id="similar">', 1)[1]
    assert question_path(like) in similar
    assert question_path(hidden) not in similar and "private" not in similar.lower()


async def test_a_questions_page_finds_a_similar_question_among_many_newer_sharing_two_words(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    like = await board.ask("erin", "Negotiating a higher salary on a new job offer?")
    for n in range(60):  # more than the search's candidates, each sharing "job offer" only
        await board.ask(f"asker{n}", f"Job offer {n} from a startup")
    _, html = await fetch(http, question_path(community.salary))
    similar = html.split('<h2 id="similar">', 1)[1]
    assert question_path(like) in similar


async def test_a_questions_page_says_when_it_was_asked_and_answered_in_english(
    http: aiohttp.ClientSession, community: Community, board: Board
) -> None:
    board.clock.advance(days=30)
    later = await board.answer("carol", community.salary, "Ask for the range first.")
    _, html = await fetch(http, question_path(community.salary))
    asked = community.salary.created_at
    assert f'<time datetime="{asked.isoformat()}">2 March 2026</time>' in html
    answered = later.created_at.isoformat()
    assert f'on <time datetime="{answered}">1 April 2026</time>' in html
