"""`python -m bench.catchup [--json]`: what one Slack catch-up pass costs, in API calls and seconds.

A board of 200 questions with 5 answers each (1,000 answers) in a SQLite file, and a stand-in for
Slack's Web API on 127.0.0.1 that answers `conversations.replies` (200 messages a page, each with
its reactions: counts and up to 50 named users, as Slack's listings do), `reactions.get`
(`full=true`) and `users.info`, counting every call. The real `SlackView` and `Reconciler` run
against it three times: the first pass (every reaction is new to the store), a pass with nothing
changed, and a pass after 5% of the answers gained a reaction. The stand-in answers at once, so
the seconds are qabot's own work; against Slack its rate limits add their waits per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.web_api import WebApiStandIn

QUESTIONS = 200
ANSWERS_EACH = 5
CHANNEL = "C0BENCH001"
TEAM = "T0BENCH001"
_NAMED = 50  # users a listing names per emoji; the count is always whole


class FakeSlackApi(WebApiStandIn):
    """Threads and reactions as Slack keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: dict[str, list[dict[str, Any]]] = {}  # parent ts -> messages, parent first
        self.reactions: dict[str, dict[str, list[str]]] = {}  # ts -> emoji name -> users

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "users.info":
            user = params["user"]
            return {"ok": True, "user": {"id": user, "name": user.lower(), "is_bot": False,
                                         "profile": {"display_name": user}}}  # fmt: skip
        if method == "reactions.get":
            ts = params["timestamp"]
            return {"ok": True, "message": {"ts": ts, "reactions": self._reactions(ts, None)}}
        if method == "conversations.replies":
            thread = self.threads[params["ts"]]
            start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 1000)
            page = [{**m, "reactions": self._reactions(m["ts"], _NAMED)}
                    for m in thread[start : start + limit]]  # fmt: skip
            more = start + limit < len(thread)
            cursor = str(start + limit) if more else ""
            return {"ok": True, "messages": page, "has_more": more,
                    "response_metadata": {"next_cursor": cursor}}  # fmt: skip
        return {"ok": False, "error": "unknown_method"}

    def _reactions(self, ts: str, named: int | None) -> list[dict[str, Any]]:
        return [
            {"name": name, "count": len(users), "users": users[:named]}
            for name, users in self.reactions.get(ts, {}).items()
            if users
        ]


async def _board(fake: FakeSlackApi, service: Any, rng: random.Random) -> list[str]:
    """Questions and answers in the store and in the fake; returns the answers' ts values."""
    from bot.domain import ChannelRef, MessageRef, UserRef, WorkspaceRef

    workspace = WorkspaceRef("slack", TEAM)
    answers: list[str] = []
    for q in range(QUESTIONS):
        asker = UserRef(workspace, f"UASK{q:05d}", f"asker {q}")
        question = await service.ask(
            asker=asker, channel=ChannelRef(workspace, CHANNEL),
            text=f"Question {q}: how should I plan the next step of my career?",
        )  # fmt: skip
        ts = f"1700000000.{q:06d}"
        await service.link_question(question, message=MessageRef(CHANNEL, ts),
                                    thread_key=f"{CHANNEL}/{ts}")  # fmt: skip
        fake.threads[ts] = [{"type": "message", "user": asker.user_id, "text": "?", "ts": ts}]
        for a in range(ANSWERS_EACH):
            reply_ts = f"1700000001.{q * ANSWERS_EACH + a:06d}"
            author = UserRef(workspace, f"UANS{rng.randrange(300):05d}", "answerer")
            await service.answer_in_thread(
                author=author, thread_key=f"{CHANNEL}/{ts}", text=f"Answer {a} to {q}.",
                message=MessageRef(CHANNEL, reply_ts),
            )  # fmt: skip
            fake.threads[ts].append({"type": "message", "user": author.user_id,
                                     "text": "!", "ts": reply_ts, "thread_ts": ts})  # fmt: skip
            voters = rng.sample(range(2000), rng.randrange(0, 6))
            fake.reactions[reply_ts] = {"+1": [f"UVOT{v:05d}" for v in voters]}
            answers.append(reply_ts)
    return answers


async def _pass(fake: FakeSlackApi, reconcile: Any) -> dict[str, Any]:
    fake.calls.clear()
    started = time.perf_counter()
    done = await reconcile()
    seconds = time.perf_counter() - started
    return {"api_calls": sum(fake.calls.values()), "by_method": dict(fake.calls),
            "seconds": round(seconds, 3), "posts_recounted": done.posts_recounted,
            "reactor_reads": done.reactor_reads}  # fmt: skip


async def measure(folder: Path) -> dict[str, dict[str, Any]]:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.catchup import SlackView
    from adapters.slack.context import SlackContext
    from bot.domain import WorkspaceRef
    from bot.reconcile import Reconciler
    from bot.service import QAService
    from bot.settings import LimitsSettings, Settings
    from storage import open_store

    fake = FakeSlackApi()
    await fake.start()
    store = await open_store(f"sqlite:///{folder / 'catchup.db'}")
    try:
        limits = LimitsSettings(asks_per_hour=0, votes_per_minute=0, vote_changes_per_post=0)
        settings = Settings(limits=limits)
        service = QAService(store=store, settings=settings)
        rng = random.Random(7)
        answers = await _board(fake, service, rng)
        client = AsyncWebClient(token="xoxb-bench", base_url=fake.url)
        context = SlackContext(settings=settings, service=service, client=client)
        workspace = WorkspaceRef("slack", TEAM)

        async def reconcile() -> Any:  # a fresh view per pass, as each reconnect makes one
            view = SlackView(context, workspace)
            return await Reconciler(service=service, view=view, days=14).run(workspace)

        results = {"first_pass": await _pass(fake, reconcile)}
        results["nothing_changed"] = await _pass(fake, reconcile)
        for ts in rng.sample(answers, len(answers) // 20):
            fake.reactions[ts]["+1"].append(f"UNEW{rng.randrange(10**5):05d}")
        results["five_percent_changed"] = await _pass(fake, reconcile)
        return results
    finally:
        await store.close()
        await fake.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.catchup", description=__doc__)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qabot-catchup-") as folder:
        results = asyncio.run(measure(Path(folder)))
    for case, numbers in results.items():
        print(f"{case:<22} {numbers['api_calls']:>6} calls  {numbers['seconds']:>7.3f} s  "
              f"{numbers['by_method']}")  # fmt: skip
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
