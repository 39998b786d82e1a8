"""`import_messages_per_s`: `qabot import slack` into a store, and a live vote's wait meanwhile.

A stand-in for Slack's Web API on 127.0.0.1, in this process, answers at once: a channel of
10,000 threads (a tenth with --quick), each a question with 5 replies and 20 reactions by a pool
of 300 people, listed by `conversations.history` and `conversations.replies` 200 a page, with
`users.info` and `auth.test`. The real `SlackImportSource` and `Importer` read it into the store;
messages/s counts every question and reply imported. Meanwhile a process of its own (`python -m
bench.import_slack --voter URL`), as a running bot would be, adds a vote every 20 ms on the same
store and reports how long each took: `import_vote_max_ms` is the longest. It votes for 3 s
before the import starts too: the slowest of those (printed, not a key) is what the machine's
other work alone costs a vote, to judge the import's number by.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.web_api import WebApiStandIn

__all__ = ["measure_import", "run"]

TEAM, CHANNEL = "T0IMPORT01", "C0IMPORT01"
REPLIES, REACTIONS, PEOPLE = 5, 20, 300
_PAGE_AT_MOST = 200
_VOTE_EVERY_S = 0.02
_IDLE_S = 3.0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class HistoryApi(WebApiStandIn):
    """One channel's threads as Slack lists them; answers every call at once."""

    def __init__(self, threads: int, rng: random.Random) -> None:
        super().__init__()
        self.top: list[dict[str, Any]] = []  # newest first, as conversations.history lists
        self.threads: dict[str, list[dict[str, Any]]] = {}
        for n in range(threads):
            self._thread(n, rng)
        self.top.reverse()

    def _thread(self, n: int, rng: random.Random) -> None:
        parent = f"{1_600_000_000 + n * 10}.000000"
        text = f"Question {n}: which role should I aim for?"
        head = {"type": "message", "user": self._person(rng), "ts": parent, "thread_ts": parent,
                "reply_count": REPLIES, "text": text}  # fmt: skip
        messages: list[dict[str, Any]] = [head]
        for r in range(REPLIES):
            messages.append({"type": "message", "user": self._person(rng), "thread_ts": parent,
                             "ts": f"{1_600_000_000 + n * 10 + r + 1}.000000",
                             "text": f"Reply {r}: start with what you know."})  # fmt: skip
        reactions: dict[tuple[int, str], set[str]] = {}
        for _ in range(REACTIONS):
            key = (rng.randrange(len(messages)), rng.choice(("+1", "+1", "+1", "-1")))
            reactions.setdefault(key, set()).add(self._person(rng))
        for (index, name), users in sorted(reactions.items()):
            messages[index].setdefault("reactions", []).append(
                {"name": name, "count": len(users), "users": sorted(users)}
            )
        self.top.append(head)
        self.threads[parent] = messages

    @staticmethod
    def _person(rng: random.Random) -> str:
        return f"U{rng.randrange(PEOPLE):05d}"

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM, "user_id": "U0IMPORTER", "url": ""}
        if method == "users.info":
            user = str(params["user"])
            return {"ok": True, "user": {"id": user, "name": user.lower(), "is_bot": False,
                                         "profile": {"display_name": user}}}  # fmt: skip
        if method == "conversations.history":
            return _page(self.top, params)
        if method == "conversations.replies":
            return _page(self.threads[str(params["ts"])], params)
        return {"ok": False, "error": "unknown_method"}


def _page(listed: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    start = int(params.get("cursor") or 0)
    limit = min(int(params.get("limit") or 100), _PAGE_AT_MOST)
    more = start + limit < len(listed)
    return {"ok": True, "messages": listed[start : start + limit], "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}  # fmt: skip


async def _voter_process(url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.import_slack", "--voter", url,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _voter(url: str) -> None:
    """Vote every 20 ms until stdin closes; print how many, and the slowest in milliseconds,
    of the votes before the first line on stdin (no import running: what this machine's other
    work alone costs a vote) and of those after it (an import running)."""
    from bot.domain import PostId, PostKind, WorkspaceRef
    from storage import open_store

    store = await open_store(url)
    workspace, waits = WorkspaceRef("slack", "T0LIVEBOT1"), list[tuple[float, float]]()
    importing: list[float] = []  # when the import started

    def read_until_closed() -> None:
        for _ in sys.stdin:
            importing.append(time.perf_counter())

    closed = asyncio.ensure_future(
        asyncio.get_running_loop().run_in_executor(None, read_until_closed)
    )
    await store.add_vote(workspace, PostId(PostKind.ANSWER, 1), voter_id="UWARM", emoji="👍",
                         weight=1, at=_now())  # fmt: skip
    print("ready", flush=True)  # warm, as a running bot is
    n = 0
    while not closed.done():
        started = time.perf_counter()
        await store.add_vote(workspace, PostId(PostKind.ANSWER, 1), voter_id=f"UV{n}",
                             emoji="👍", weight=1, at=_now())  # fmt: skip
        waits.append((started, (time.perf_counter() - started) * 1000))
        n += 1
        await asyncio.sleep(_VOTE_EVERY_S)
    await store.close()
    during = sorted(wait for at, wait in waits if importing and at >= importing[0])
    before = sorted(wait for at, wait in waits if not importing or at < importing[0])
    counted = {"count": len(during), "slowest": during[-5:],
               "idle_count": len(before), "idle_slowest": before[-5:]}  # fmt: skip
    print(json.dumps(counted), flush=True)


def _now() -> Any:
    from bot.service import utc_now

    return utc_now()


async def _live_answer(url: str) -> None:
    """The post the live votes land on: in another workspace, as another community's."""
    from bot.domain import WorkspaceRef
    from bot.ports import NewAnswer, NewQuestion
    from storage import open_store

    store = await open_store(url)
    workspace = WorkspaceRef("slack", "T0LIVEBOT1")
    await store.add_question(NewQuestion(workspace, "C1", "U1", "u", "Live?", (), False, _now()))
    await store.add_answer(NewAnswer(workspace, 1, "U2", "v", "Yes", _now()))
    await store.close()


async def measure_import(url: str, scale: float) -> dict[str, float]:
    from adapters.slack.importer import slack_import_source
    from bot.importing import Importer, ImportOptions
    from bot.settings import Secrets, Settings, SlackSettings
    from storage import open_store

    api = HistoryApi(max(100, int(10_000 * scale)), random.Random(17))
    await api.start()
    await _live_answer(url)
    settings = Settings(slack=SlackSettings(api_base_url=api.url),
                        secrets=Secrets(slack_bot_token="xoxb-bench"))  # fmt: skip
    store = await open_store(url)
    held: list[float] = []  # how long each write batch held the store's writer (SQLite)
    store.observe_batches(lambda size, seconds: held.append(seconds * 1000))
    voter = await _voter_process(url)
    assert voter.stdout is not None and voter.stdin is not None
    await voter.stdout.readline()
    await asyncio.sleep(_IDLE_S)  # the voter alone first: the machine's own noise
    voter.stdin.write(b"import\n")
    await voter.stdin.drain()
    try:
        started = time.perf_counter()
        async with slack_import_source(settings, (CHANNEL,)) as source:
            importer = Importer(store=store, settings=settings, source=source,
                                workspace=source.workspace, clock=_now)  # fmt: skip
            done = await importer.run(ImportOptions((CHANNEL,)), _Silent())
        seconds = time.perf_counter() - started
    finally:
        voter.stdin.close()
        voted = json.loads((await voter.stdout.readline()).decode())
        await voter.wait()
        await store.close()
        await api.close()
    messages = done.questions + done.answers
    _say(f"import: {messages:,} messages in {seconds:.1f} s, {done.votes:,} vote rows; "
         f"a live vote took at most {voted['slowest'][-1]:.1f} ms ({voted['count']} votes; "
         f"slowest {', '.join(f'{w:.0f}' for w in voted['slowest'])} ms)"
         + (f"; {len(held)} write batches, median {sorted(held)[len(held) // 2]:.1f} ms, "
            f"longest {max(held):.1f} ms" if held else ""))  # fmt: skip
    _say(f"import: with no import running, a vote took at most {voted['idle_slowest'][-1]:.1f} ms "
         f"({voted['idle_count']} votes; slowest "
         f"{', '.join(f'{w:.0f}' for w in voted['idle_slowest'])} ms)")  # fmt: skip
    return {"import_messages_per_s": round(messages / seconds),
            "import_vote_max_ms": round(voted["slowest"][-1], 1)}  # fmt: skip


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


def run(url: str, scale: float) -> dict[str, float]:
    """The measurement in a process of its own (its memory is not the measured bot's)."""
    child = subprocess.run(
        [sys.executable, "-m", "bench.import_slack", url, str(scale)],
        stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    measured: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    if sys.argv[1] == "--voter":
        asyncio.run(_voter(sys.argv[2]))
        return
    url, scale = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    if url.endswith(".db") and not url.startswith("sqlite"):
        url = f"sqlite:///{Path(url)}"
    print(json.dumps(asyncio.run(measure_import(url, scale))))


if __name__ == "__main__":
    main()
