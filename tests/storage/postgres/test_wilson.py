"""PostgreSQL computes rank_score itself; it must be bit for bit bot.voting's Wilson bound."""

from __future__ import annotations

from bot.voting import wilson_lower_bound
from storage import open_store
from tests.conftest import FreshUrl
from tests.storage.conftest import raw_fetch


async def test_the_sql_wilson_bound_equals_the_python_one_bit_for_bit(
    fresh_url: FreshUrl,
) -> None:
    store = await open_store(await fresh_url("postgres"))
    try:
        rows = await raw_fetch(
            store,
            "SELECT u, d, qabot_wilson(u, d) FROM generate_series(0, 60) AS u,"
            " generate_series(0, 60) AS d"
            " UNION ALL SELECT u, d, qabot_wilson(u, d)"
            " FROM (VALUES (1000000, 3), (3, 1000000), (123457, 98765)) AS big (u, d)",
        )
    finally:
        await store.close()
    assert len(rows) == 61 * 61 + 3
    assert [(u, d, score) for u, d, score in rows if score != wilson_lower_bound(u, d)] == []
