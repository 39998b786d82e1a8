"""Search on a realistic board (board.json: career questions, their answers, and searches people
type, each with the posts it should find), on both stores.

recall@3 is the share of a search's expected posts among its first three hits, out of at most
three (a tag with seven questions is fully found by any three of them); MRR is the mean of
1 / the rank of the first expected hit. Both are printed (pytest -s) for docs/performance.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ports import Store
from bot.service import QAService
from bot.settings import Settings
from storage import open_store
from tests.conftest import FakeClock, FreshUrl
from tests.storage.builders import SLACK, answer, ask

BOARD = json.loads((Path(__file__).parent / "board.json").read_text(encoding="utf-8"))
TOP = 3


@dataclass(frozen=True)
class Scores:
    recall: float
    mrr: float


async def _scores(url: str) -> Scores:
    store = await open_store(url)
    try:
        keys = await _fill(store)
        service = QAService(store=store, settings=Settings(), clock=FakeClock())
        recalls, ranks = [], []
        for query in BOARD["queries"]:
            hits = await service.search(workspace=SLACK, text=query["text"])
            found = [keys[str(hit.post.post_id)] for hit in hits]
            recalls.append(_recall(found, query["finds"]))
            ranks.append(_reciprocal_rank(found, query["finds"]))
        return Scores(sum(recalls) / len(recalls), sum(ranks) / len(ranks))
    finally:
        await store.close()


async def _fill(store: Store) -> dict[str, str]:
    """Post the board; return each post's public id -> its key in board.json."""
    keys = {}
    for entry in BOARD["questions"]:
        question = await ask(store, entry["text"], tags=tuple(entry["tags"]))
        keys[str(question.post_id)] = entry["key"]
        for n, text in enumerate(entry["answers"], start=1):
            posted = await answer(store, question.number, text)
            keys[str(posted.post_id)] = f"{entry['key']}/{n}"
    return keys


def _recall(found: Sequence[str], expected: Sequence[str]) -> float:
    return len(set(found[:TOP]) & set(expected)) / min(TOP, len(expected))


def _reciprocal_rank(found: Sequence[str], expected: Sequence[str]) -> float:
    return next((1 / rank for rank, key in enumerate(found, 1) if key in expected), 0.0)


def test_the_board_has_forty_questions_and_twenty_searches() -> None:
    assert len(BOARD["questions"]) >= 40 and len(BOARD["queries"]) >= 20


async def test_both_stores_find_what_people_search_for(fresh_url: FreshUrl) -> None:
    sqlite = await _scores(await fresh_url("sqlite"))
    postgres = await _scores(await fresh_url("postgres"))
    for name, scores in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        print(f"{name}: recall@{TOP} {scores.recall:.3f}, MRR {scores.mrr:.3f}")
    assert sqlite.recall >= 0.9 and postgres.recall >= 0.9
    assert abs(sqlite.recall - postgres.recall) <= 0.05
