"""The web view as an aiohttp application: routes, the headers every response carries, cache
validators, and the friendly pages that answer anything that is not a page.

Every response has a Content-Security-Policy without scripts (the JSON-LD is data, which CSP
does not block). A missing, unpublished or malformed page is the same 404; a bad filter or
search is a 400 saying what to type; a failure never shows a traceback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Middleware

from adapters.web.pages import Pages
from adapters.web.reader import KeepList, SiteReader
from bot.errors import InvalidInput, NotFound, StoreUnavailable
from bot.service import QAService
from bot.web_settings import WebSettings

__all__ = ["Handler", "build_app"]

log = logging.getLogger("qabot.web")

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'none'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
NOT_FOUND = "There is no such page here. It may never have existed, or it is not public."
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(
    service: QAService, settings: WebSettings, *, keep_list: KeepList | None = None
) -> web.Application:
    """The site; `keep_list` is the reader's (adapters/web/reader.py)."""
    pages = Pages(SiteReader(service, settings, keep_list=keep_list), settings)
    middlewares: list[Middleware] = [_friendly(pages), _validators]
    app = web.Application(middlewares=middlewares)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        # The templates ship with qabot: no file system check for changes on every page.
        auto_reload=False,
        default_helpers=False,
    )
    app.router.add_get("/", pages.index)
    app.router.add_get("/q/{platform}/{workspace}/{number}", pages.question)
    app.router.add_get("/q/{platform}/{workspace}/{number}/{slug}", pages.question)
    app.router.add_get("/c/{platform}/{workspace}/{channel}", pages.channel)
    app.router.add_get("/t/{tag}", pages.tag)
    app.router.add_get("/search", pages.search)
    app.router.add_get("/sitemap.xml", pages.sitemap)
    app.router.add_get("/robots.txt", pages.robots)
    app.router.add_static("/static/", HERE / "static", append_version=False)
    app.on_response_prepare.append(_secure)
    return app


async def _secure(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


def _friendly(pages: Pages) -> Middleware:
    @web.middleware
    async def friendly(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except (NotFound, web.HTTPNotFound):
            return _error(pages, request, 404, "Page not found", NOT_FOUND)
        except InvalidInput as error:
            return _error(pages, request, 400, "That did not work", str(error))
        except web.HTTPMethodNotAllowed:
            return _error(pages, request, 405, "Not allowed", "This site only shows pages.")
        except web.HTTPException:
            raise
        except StoreUnavailable:
            message = "The answers cannot be read right now. Please try again in a moment."
            return _error(pages, request, 503, "Try again soon", message)
        except Exception:
            log.exception("web page %s failed", request.path[:200])
            message = "Something went wrong on our side. Please try again."
            return _error(pages, request, 500, "Sorry", message)

    return friendly


def _error(
    pages: Pages, request: web.Request, status: int, heading: str, message: str
) -> web.Response:
    return pages.render(
        request, "error.html", "/", status=status, title=heading, heading=heading,
        message=message, description=message,
    )  # fmt: skip


@web.middleware
async def _validators(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An ETag on every page, so a crawler revisits with If-None-Match and gets a 304."""
    response = await handler(request)
    if not isinstance(response, web.Response) or response.status != 200 or response.body is None:
        return response
    body = response.body if isinstance(response.body, bytes) else b""
    if not body:
        return response
    tag = hashlib.sha256(body).hexdigest()[:32]
    if any(etag.value == tag for etag in request.if_none_match or ()):
        return web.Response(status=304, headers={"ETag": f'"{tag}"'})
    response.etag = tag
    return response
