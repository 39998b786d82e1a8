"""`python -m bench.slack_api`: a stand-in for Slack's Web API in a process of its own.

In production Slack's servers answer `users.info` and the `response_url` posts; in the ack
benchmark this process does, so their cost is not charged to the bot's event loop. It answers
the Web API methods the acknowledgement path calls with the shapes Slack documents, prints its
base URL on the first line, then serves until its stdin is closed. `python -m bench.slack_api
SOCKET_URL` also answers `apps.connections.open` with SOCKET_URL, a Socket Mode endpoint.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from typing import Any

from aiohttp import web

from bench.slack_wire import BOT_USER_ID, TEAM_ID

_ts = itertools.count(1)


def _answer(method: str, params: dict[str, Any]) -> dict[str, Any]:
    if method == "auth.test":
        return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0BENCHBOT"}
    if method == "users.info":  # every voter of the load (UACKnnnnn) is a person
        user = str(params.get("user", ""))
        if not user.startswith("UACK"):
            return {"ok": False, "error": "user_not_found"}
        profile = {"display_name": f"voter {user[4:]}", "real_name": f"voter {user[4:]}"}
        return {"ok": True, "user": {"id": user, "name": user.lower(), "is_bot": False,
                                     "profile": profile}}  # fmt: skip
    if method == "chat.getPermalink":
        channel, ts = params.get("channel"), str(params.get("message_ts", ""))
        link = f"https://bench.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}
    return {"ok": True, "channel": params.get("channel"), "ts": f"1700000000.{next(_ts):06d}"}


async def _api(request: web.Request) -> web.Response:
    params: dict[str, Any] = dict(await request.post())
    if request.content_type == "application/json":
        params = await request.json()
    params.update(request.query)
    if request.match_info["method"] == "apps.connections.open" and len(sys.argv) > 1:
        return web.json_response({"ok": True, "url": sys.argv[1]})
    return web.json_response(_answer(request.match_info["method"], params))


async def _respond(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="ok")


async def main() -> None:
    app = web.Application()
    app.router.add_route("*", "/api/{method}", _api)
    app.router.add_post("/respond/{key}", _respond)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    print(f"http://{host}:{port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
