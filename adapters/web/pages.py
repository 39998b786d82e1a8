"""The web view's request handlers: one per page, each reading through SiteReader.

A page that is not published raises NotFound: the site answers it with one 404 page whatever
the reason. Bad filters and searches raise InvalidInput: a 400 page that says what to type.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import aiohttp_jinja2
from aiohttp import web

from adapters.web.jsonld import qa_page_json
from adapters.web.reader import ListedQuestion, SiteReader, parse_number
from adapters.web.views import (
    answer_item,
    channel_link,
    channel_name,
    description_of,
    question_item,
    question_page,
    question_title,
)
from bot.domain import Window, WorkspaceRef
from bot.errors import InvalidInput, NotFound
from bot.text_rules import MAX_SEARCH_CHARS, excerpt, normalize_tag, query_echo
from bot.web_settings import WebSettings, base_url, channel_path, question_path

__all__ = ["Pages"]

_WINDOWS = {window.value: window for window in Window}
_SOLVED = {"yes": True, "no": False}
_LIST = 20
_RECENT = 200  # the front page's "waiting for an answer" looks among this many newest


class Pages:
    def __init__(self, reader: SiteReader, settings: WebSettings) -> None:
        self._reader = reader
        self._settings = settings
        self._base = base_url(settings)

    def render(
        self, request: web.Request, template: str, path: str, *, status: int = 200, **values: Any
    ) -> web.Response:
        """A page with the markup every page has: title, description, canonical URL, Open
        Graph; `values` fill the template."""
        site = self._settings.title
        title = values.pop("title", site)
        context = {
            "site_title": site,
            "title": title if title == site else f"{title} · {site}",
            "description": values.pop("description", f"Career questions answered on {site}."),
            "canonical": self._base + path,
            "robots": values.pop("robots", "index, follow" if status == 200 else "noindex"),
            "og_type": values.pop("og_type", "website"),
            "query": values.pop("query", ""),
            "jsonld": values.pop("jsonld", None),
            **values,
        }
        return aiohttp_jinja2.render_template(template, request, context, status=status)

    async def index(self, request: web.Request) -> web.Response:
        reader = self._reader
        channels, top = [], []
        newest: list[ListedQuestion] = []
        waiting: list[ListedQuestion] = []
        for workspace in reader.workspaces:
            # The newest questions, and those of them still waiting: one bounded read.
            front = await reader.front(workspace, recent=_RECENT, limit=_LIST)
            newest += front.newest
            waiting += front.waiting
            top += await reader.top_answers(workspace, window=Window.MONTH)
            # Listed channels with a question shown, and for `*` those of the newest questions:
            # the store keeps no list of a workspace's channels.
            listed = reader.listed_channels(workspace) - set(front.channels)
            shown = {c for c in listed if await reader.channel_exists(workspace, c)}
            shown |= set(front.channels)
            names = await reader.channel_names(workspace, shown)
            links = [channel_link(workspace, c, names.get(c)) for c in shown]
            channels += sorted(links, key=lambda link: (link.name.casefold(), link.path))
        newest.sort(key=lambda item: item.question.created_at, reverse=True)
        return self.render(
            request, "index.html", "/",
            channels=channels, top=[answer_item(view) for view in top[:10]],
            newest=[question_item(item) for item in newest[:_LIST]],
            unanswered=[question_item(item) for item in waiting[:_LIST]],
        )  # fmt: skip

    async def question(self, request: web.Request) -> web.Response:
        workspace = WorkspaceRef(request.match_info["platform"], request.match_info["workspace"])
        number = parse_number(request.match_info["number"])
        page = None if number is None else await self._reader.question(workspace, number)
        if page is None:
            raise NotFound("no such question")
        path = question_path(page.question)
        values = question_page(page)
        return self.render(
            request, "question.html", path,
            title=question_title(page.question),
            description=description_of(values), og_type="article",
            jsonld=qa_page_json(values, self._base + path), page=values,
        )  # fmt: skip

    async def channel(self, request: web.Request) -> web.Response:
        workspace = WorkspaceRef(request.match_info["platform"], request.match_info["workspace"])
        channel_id = request.match_info["channel"]
        window = _choice(request, "window", _WINDOWS, Window.ALL)
        solved = _choice(request, "solved", _SOLVED, None)
        if not await self._reader.channel_exists(workspace, channel_id):
            raise NotFound("no such channel")
        items = await self._reader.questions(
            workspace, channel_id=channel_id, window=window, solved=solved, limit=100
        )
        path = channel_path(workspace, channel_id)
        names = await self._reader.channel_names(workspace, [channel_id])
        name = channel_name(channel_id, names.get(channel_id))
        return self.render(
            request, "list.html", path, title=f"Questions in {name}",
            heading=f"Questions in {name}",
            description=f"Career questions and the community's answers in {name}.",
            filters=_filters(path, window, solved), items=[question_item(i) for i in items],
            empty="No questions match these filters.",
        )  # fmt: skip

    async def tag(self, request: web.Request) -> web.Response:
        tag = normalize_tag(request.match_info["tag"])
        if tag is None or tag != request.match_info["tag"]:
            raise NotFound("no such tag")
        items = []
        for workspace in self._reader.workspaces:
            items += await self._reader.questions(workspace, tag=tag, limit=100)
        if not items:
            raise NotFound("no such tag")
        return self.render(
            request, "list.html", f"/t/{tag}", title=f"Questions tagged #{tag}",
            heading=f"Questions tagged #{tag}", items=[question_item(i) for i in items],
            description=f"Career questions tagged #{tag} and the community's answers.", empty="",
        )  # fmt: skip

    async def search(self, request: web.Request) -> web.Response:
        text = request.query.get("q", "")
        if len(text) > MAX_SEARCH_CHARS:
            raise InvalidInput(f"Searches are {MAX_SEARCH_CHARS} characters at most.")
        items, message = [], ""
        if not text.strip():
            message = "Type some words to search for, like: salary negotiation."
        else:
            try:
                items = await self._reader.search(text)
            except InvalidInput as refused:
                message = str(refused)
        heading = f"Search: {query_echo(text)}" if text.strip() else "Search"
        return self.render(
            request, "list.html", "/search", title=heading, heading=heading, query=text,
            robots="noindex, follow",
            message=message, items=[question_item(i) for i in items],
            empty="" if message else "No published question matches every word.",
        )  # fmt: skip

    async def sitemap(self, request: web.Request) -> web.Response:
        entries = await self._reader.sitemap()
        urls = [f"<url><loc>{xml_escape(self._base)}/</loc></url>"]
        urls += [
            f"<url><loc>{xml_escape(self._base + question_path(q))}</loc>"
            f"<lastmod>{changed.astimezone(UTC).date().isoformat()}</lastmod></url>"
            for q, changed in entries
        ]
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(urls)
            + "\n</urlset>\n"
        )
        return web.Response(text=body, content_type="application/xml")

    async def robots(self, request: web.Request) -> web.Response:
        body = f"User-agent: *\nAllow: /\nSitemap: {self._base}/sitemap.xml\n"
        return web.Response(text=body, content_type="text/plain")


def _choice(request: web.Request, key: str, choices: dict[str, Any], default: Any) -> Any:
    given = request.query.get(key)
    if given is None or given == "":
        return default
    if given not in choices:
        allowed = ", ".join(choices)
        raise InvalidInput(f"`{key}` is one of {allowed}; {excerpt(given, 20)!r} is not.")
    return choices[given]


def _filters(path: str, window: Window, solved: bool | None) -> list[dict[str, Any]]:
    solved_word = {True: "yes", False: "no", None: ""}[solved]
    windows = [
        {"text": w.value, "href": _href(path, w.value, solved_word), "current": w is window}
        for w in Window
    ]
    solves = [
        {"text": text, "href": _href(path, window.value, word), "current": word == solved_word}
        for text, word in (("any", ""), ("solved", "yes"), ("unsolved", "no"))
    ]
    return [{"label": "Asked", "links": windows}, {"label": "Solved", "links": solves}]


def _href(path: str, window: str, solved: str) -> str:
    query = [f"window={window}"] + ([f"solved={solved}"] if solved else [])
    return f"{path}?{'&'.join(query)}"
