"""One bot process in the two-process race: `python -m tests.storage.vote_worker URL`.

It opens (and migrates) the store at the same moment as its twin, seeds the shared question and
answer if it wins the claim (else waits to see them), prints `ready`, waits for `go` on stdin,
runs the reaction storm and prints `done`. Any exception exits non-zero with a traceback.
"""

from __future__ import annotations

import asyncio
import os
import sys

from bot.domain import MessageRef, PostId
from bot.ports import Store
from storage import open_store
from tests.storage.builders import NOW, SLACK, answer, ask
from tests.storage.vote_race import storm

ANSWER_MESSAGE = MessageRef("C1", "race.1")


async def _seeded_answer(store: Store) -> PostId:
    if await store.claim(SLACK, "seed", period="race", owner=str(os.getpid()), at=NOW):
        await ask(store, "Who wins a race?")
        await answer(store, 1, "Nobody counts twice.", message=ANSWER_MESSAGE)
    for _ in range(1000):
        post = await store.get_post_by_message(SLACK, ANSWER_MESSAGE)
        if post is not None:
            return post.post_id
        await asyncio.sleep(0.01)
    raise TimeoutError("the twin process never seeded the answer")


async def main(url: str) -> None:
    store = await open_store(url, pool_size=10)
    try:
        post = await _seeded_answer(store)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await storm(store, post)
        print("done", flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
