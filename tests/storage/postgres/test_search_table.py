"""PostgreSQL's full-text search rows live apart from the posts (migration 0019): votes, which
rewrite a post's row for its counts, never write them, so searches never read through index
entries a vote burst left; posts from before the table are found as before."""

from __future__ import annotations

import pytest

from bot.search_query import SearchQuery
from storage import open_store
from storage.migrations import migrations_for
from storage.postgres import PostgresStore
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, a, answer, ask, vote

pytest.importorskip("asyncpg")

_SEARCH_ROW_VERSION = "SELECT xmin::text FROM post_search WHERE post_id = $1"


async def found(store: PostgresStore, *words: str, tags: tuple[str, ...] = ()) -> list[str]:
    hits = await store.search(SLACK, SearchQuery(words, tags), limit=10)
    return sorted(str(hit.post.post_id) for hit in hits)


async def test_votes_leave_the_search_row_alone_and_an_edit_rewrites_it(
    fresh_url: FreshUrl,
) -> None:
    store = await open_store(await fresh_url("postgres"))
    assert isinstance(store, PostgresStore)
    try:
        await ask(store, "How do I ask for a raise?")
        await answer(store, 1, "Bring numbers from the market")
        posted = await store.get_post(SLACK, a(1))
        assert posted is not None
        before = await store._pool.fetchval(_SEARCH_ROW_VERSION, posted.row_id)
        for voter in ("U1", "U2", "U3"):
            await vote(store, a(1), voter)
        await vote(store, a(1), "U4", "👎")
        after_votes = await store._pool.fetchval(_SEARCH_ROW_VERSION, posted.row_id)
        assert await found(store, "market") == ["A1"]
        assert await store.edit_post(SLACK, a(1), "Bring offers from other companies")
        after_edit = await store._pool.fetchval(_SEARCH_ROW_VERSION, posted.row_id)
        assert await found(store, "market") == []
        assert await found(store, "companies") == ["A1"]
    finally:
        await store.close()
    assert before is not None and after_votes == before
    assert after_edit != before


async def test_posts_written_before_the_search_table_are_found_after_it(
    fresh_url: FreshUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await fresh_url("postgres")
    older = [m for m in migrations_for("postgres") if m.version < 19]
    monkeypatch.setattr("storage.postgres.database.migrations_for", lambda dialect: older)
    store = await open_store(url)
    await ask(store, "How do I negotiate my salary?", tags=("career",))
    await answer(store, 1, "Negotiate after the offer")
    await store.close()
    monkeypatch.undo()
    store = await open_store(url)
    assert isinstance(store, PostgresStore)
    try:
        assert await found(store, "negotiating") == ["A1", "Q1"]
        assert await found(store, tags=("career",)) == ["Q1"]
        await ask(store, "Should I negotiate remote days?")  # written after it
        assert await found(store, "negotiating") == ["A1", "Q1", "Q2"]
    finally:
        await store.close()
