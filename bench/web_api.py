"""A stand-in for Slack's Web API on 127.0.0.1, in the benchmark's own process.

Subclasses say what each method answers (`answer`); this serves them at `url` (what
`AsyncWebClient(base_url=...)` takes), counting calls per method, and answers at once, so what a
benchmark measures is qabot's own work.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

__all__ = ["WebApiStandIn"]


class WebApiStandIn:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.url = ""
        self._runner: web.AppRunner | None = None

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": False, "error": "unknown_method"}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/api/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        params = {**request.query, **(await request.post())}  # GET methods use the query
        return web.json_response(self.answer(method, {k: str(v) for k, v in params.items()}))
