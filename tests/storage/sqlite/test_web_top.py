"""SQLite reads the web view's front page's best answers of the month across every channel in
ranking order from posts_ranked_workspace, without sorting the candidates."""

from __future__ import annotations

import sqlite3

from storage import open_store
from storage.sqlite import sql
from tests.conftest import FreshUrl
from tests.storage.builders import answer, ask


async def test_the_months_top_across_channels_is_read_in_ranking_order_from_one_index(
    fresh_url: FreshUrl,
) -> None:
    url = await fresh_url("sqlite")
    store = await open_store(url)
    try:
        for channel in ("C1", "C2", "C3"):
            await ask(store, channel=channel)
        for number in (1, 2, 3):
            await answer(store, number)
    finally:
        await store.close()
    statement = sql.top_answers(channel=False, since=True, tag=False, question=False)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.execute("ANALYZE")
        params = {"ws": 1, "since": 0, "limit": 30}
        plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params))
    candidates = [step for step in plan.split(" | ") if step.startswith("SEARCH a ")]
    assert candidates == [
        "SEARCH a USING INDEX posts_ranked_workspace (workspace_id=? AND kind=? AND removed=?)"
    ]
    # The only sort is of the thirty winners, after the subquery: none of the candidates.
    assert plan.count("TEMP B-TREE") == 1 and plan.endswith("USE TEMP B-TREE FOR ORDER BY")
