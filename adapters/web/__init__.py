"""The web view: a public, read-only site of the published questions and their best answers.

`run_web` is what `qabot run` awaits next to the chat adapters, in the same event loop. aiohttp
and aiohttp-jinja2 are imported only when it is called. Inside the package: `reader` (what each
page shows, from the store), `people` (the display rule, mentions as plain text), `views` and
`jsonld` (values for the templates and the schema.org markup), `pages` (the handlers), `site`
(the aiohttp application, headers, error pages), `page_processes`, `page_process` and
`page_wire` (the processes of `[web] workers`, which build the pages) and `runtime` (serving);
`screenshot` renders a demo page into docs/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.service import QAService
from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["run_web"]


async def run_web(
    settings: Settings,
    service: QAService,
    *,
    add_routes: Callable[[web.Application], None] | None = None,
) -> None:
    """Serve the web view until cancelled; raises SettingsError if it cannot start.
    `add_routes` adds other paths to the same server (the `[ops]` endpoints on one port)."""
    from adapters.web.runtime import serve_web

    await serve_web(service, settings, add_routes=add_routes)
