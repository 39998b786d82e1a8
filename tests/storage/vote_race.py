"""A reaction storm on one answer, whose end state does not depend on how the tasks interleave.

Each voter has a script of reaction events; every script runs in two tasks at once (the same
events delivered twice). For each (voter, emoji) every copy of the script ends with the same
operation, so whatever the interleaving, the last operation on that key decides whether its
vote row exists, and the expected counts follow by arithmetic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.domain import PostId
from bot.ports import Store
from tests.storage.builders import NOW, SLACK, WEIGHTS

Event = tuple[str, str, str]  # ("add" | "remove", voter, emoji)

VOTERS = 25
COPIES = 2  # 25 voters x 2 deliveries = 50 concurrent tasks per process
VOLLEY = 50  # then this many new up-voters react at the same instant

_PATTERNS: Sequence[Sequence[tuple[str, str]]] = (
    (("add", "👍"), ("add", "⬆"), ("remove", "👍"), ("remove", "⬆")),  # nothing left
    (("add", "👍"), ("add", "👎")),  # +1 and -1: no vote
    (("add", "👎"), ("add", "⬇"), ("add", "👎")),  # down, sent twice: one down
    (("add", "👍"), ("remove", "👍"), ("add", "👍")),  # up again
    (("add", "⬆"),),  # up
)


def script(voter: int) -> list[Event]:
    return [(op, f"U{voter:02}", emoji) for op, emoji in _PATTERNS[voter % len(_PATTERNS)]]


def expected_rows() -> set[tuple[str, str]]:
    """The (voter, emoji) rows left: a key survives when its last operation is an add."""
    last: dict[tuple[str, str], str] = {}
    for voter in range(VOTERS):
        for op, who, emoji in script(voter):
            last[(who, emoji)] = op
    return {key for key, op in last.items() if op == "add"} | {
        (f"V{i:02}", "👍") for i in range(VOLLEY)
    }


def expected_counts() -> tuple[int, int]:
    net: dict[str, int] = {}
    for voter, emoji in expected_rows():
        net[voter] = net.get(voter, 0) + WEIGHTS[emoji]
    return sum(n > 0 for n in net.values()), sum(n < 0 for n in net.values())


async def _play(store: Store, post: PostId, events: list[Event]) -> None:
    for op, voter, emoji in events:
        if op == "add":
            await store.add_vote(
                SLACK, post, voter_id=voter, emoji=emoji, weight=WEIGHTS[emoji], at=NOW
            )
        else:
            await store.remove_vote(SLACK, post, voter_id=voter, emoji=emoji)
        await asyncio.sleep(0)  # let the other tasks in between events


async def storm(store: Store, post: PostId) -> None:
    """Every voter's script, each delivered COPIES times, all at once; then a volley of new
    voters released together, so the last writes race too. Exceptions propagate."""
    async with asyncio.TaskGroup() as group:
        for _ in range(COPIES):
            for voter in range(VOTERS):
                group.create_task(_play(store, post, script(voter)))
    release = asyncio.Event()

    async def volley(voter: str) -> None:
        await release.wait()
        await _play(store, post, [("add", voter, "👍")])

    async with asyncio.TaskGroup() as group:
        for i in range(VOLLEY):
            group.create_task(volley(f"V{i:02}"))
        await asyncio.sleep(0)
        release.set()
