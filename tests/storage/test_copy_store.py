"""copy-store: a community moves SQLite -> PostgreSQL -> SQLite and nobody can tell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.domain import MessageRef, PostId, PostKind, TopQuery, Window, WorkspaceRef
from bot.errors import SettingsError
from bot.ports import Store
from bot.search_query import SearchQuery
from storage import open_store, sqlite_path
from storage.copy_store import TargetNotEmpty, copy_store
from tests.conftest import FreshUrl
from tests.storage.builders import (
    DISCORD,
    NOW,
    SLACK,
    a,
    answer,
    ask,
    days_ago,
    q,
    unvote,
    vote,
    votes_for,
)
from tests.storage.conftest import raw_fetch

QUERIES = [
    TopQuery("C1", Window.ALL),
    TopQuery("C2", Window.ALL),
    TopQuery(None, Window.ALL, tag="ml"),
    TopQuery(None, question=1),
    TopQuery("C1", Window.ALL, limit=2),
]
SEARCHES = [["salary"], ["offer", "salary"], ["resume"], ["python"], ["nothing", "here"]]


async def _community(store: Store) -> None:
    """Two workspaces with every kind of thing a community accumulates."""
    await ask(store, "How do I negotiate a salary offer?", tags=("career",), at=days_ago(9))
    await ask(store, "Is python enough for ML jobs?", channel="C2", tags=("ml",), anonymous=True)
    await ask(store, "Resume length?", at=days_ago(1))
    await store.link_question(SLACK, 1, message=MessageRef("C1", "10.1"), thread_key="10.1")
    await answer(store, 1, "Anchor high: salary talk is normal", message=MessageRef("C1", "11.1"))
    await answer(store, 1, "Wait for the offer, then negotiate salary")
    await answer(store, 2, "Python plus statistics", message=MessageRef("C2", "12.1"))
    await answer(store, 3, "One page resume")
    await answer(store, 3, "Removed answer about resume")
    await votes_for(store, a(1), ups=4, downs=1)
    await votes_for(store, a(2), ups=2, downs=2)
    await vote(store, a(3), "U_MIX", "👍")
    await vote(store, a(3), "U_MIX", "👎")
    await vote(store, a(4), "U_GONE", "⬆")
    await unvote(store, a(4), "U_GONE", "⬆")
    await store.set_accepted(SLACK, 1, 2)
    await store.edit_post(SLACK, a(4), "One page resume, two at most")
    await store.remove_post(SLACK, a(5))
    await ask(store, "Discord question on offers", ws=DISCORD, channel="D1")
    await answer(store, 1, "Discord salary answer", ws=DISCORD)
    await votes_for(store, PostId(PostKind.ANSWER, 1), ups=1, downs=0)
    await store.claim(SLACK, "digest", period="2026-W47", owner="p1", at=NOW)
    await store.set_channel_name(SLACK, "C1", "career-advice")
    await store.set_channel_name(DISCORD, "D1", "general")


async def _snapshot(store: Store) -> dict[str, Any]:
    """Everything a user can see, plus the stored scores."""
    seen: dict[str, Any] = {}
    for ws in (SLACK, DISCORD):
        for i, query in enumerate(QUERIES):
            seen[f"top {ws.platform} {i}"] = await store.top_answers(ws, query, since=None)
        for words in SEARCHES:
            hits = await store.search(ws, SearchQuery(tuple(words)), limit=10)
            seen[f"search {ws.platform} {words}"] = sorted(hits, key=lambda h: str(h.post.post_id))
        for kind in PostKind:
            for number in range(1, 7):
                post_id = PostId(kind, number)
                seen[f"get {ws.platform} {post_id}"] = await store.get_post(ws, post_id)
        seen[f"channel names {ws.platform}"] = await store.channel_names(ws, ["C1", "C2", "D1"])
    seen["by message"] = await store.get_post_by_message(SLACK, MessageRef("C2", "12.1"))
    seen["by thread"] = await store.get_question_by_thread(SLACK, "10.1")
    seen["scores"] = await raw_fetch(
        store, "SELECT kind, number, ups, downs, rank_score FROM posts ORDER BY id"
    )
    return seen


async def _after_copy(store: Store) -> tuple[int, int, bool]:
    """What continues after a move: numbering, and the claims already made."""
    question = await ask(store, "First question after the move")
    new_answer = await answer(store, 3, "First answer after the move")
    claimed = await store.claim(SLACK, "digest", period="2026-W47", owner="p2", at=NOW)
    return question.number, new_answer.number, claimed


async def test_a_round_trip_through_postgres_changes_nothing_anyone_sees(
    fresh_url: FreshUrl,
) -> None:
    urls = [await fresh_url("sqlite"), await fresh_url("postgres"), await fresh_url("sqlite")]
    stores: list[Store] = []
    snapshots = []
    try:
        first = await open_store(urls[0])
        stores.append(first)
        await _community(first)
        await copy_store(urls[0], urls[1])
        await copy_store(urls[1], urls[2])
        for url in urls[1:]:
            stores.append(await open_store(url))
        snapshots = [await _snapshot(store) for store in stores]
        after = [await _after_copy(store) for store in stores]
    finally:
        for store in stores:
            await store.close()
    assert sum(bool(value) for value in snapshots[0].values()) > 20  # a community, not blanks
    for key, value in snapshots[0].items():
        assert snapshots[1][key] == value, key
        assert snapshots[2][key] == value, key
    assert after == [(4, 6, False)] * 3


async def test_copy_refuses_a_target_that_holds_a_community(fresh_url: FreshUrl) -> None:
    source, target = await fresh_url("sqlite"), await fresh_url("postgres")
    for url, text in ((source, "from the source"), (target, "already in the target")):
        store = await open_store(url)
        await ask(store, text)
        await store.close()
    with pytest.raises(TargetNotEmpty):
        await copy_store(source, target)
    store = await open_store(target)
    try:
        found = await store.get_post(SLACK, q(1))
        assert found is not None and found.text == "already in the target"
    finally:
        await store.close()


async def test_forcing_a_copy_replaces_what_the_target_held(fresh_url: FreshUrl) -> None:
    source, target = await fresh_url("sqlite"), await fresh_url("postgres")
    for url, text in ((source, "from the source"), (target, "already in the target")):
        store = await open_store(url)
        await ask(store, text, ws=WorkspaceRef("slack", text))
        await store.close()
    await copy_store(source, target, force=True)
    store = await open_store(target)
    try:
        assert await store.get_post(WorkspaceRef("slack", "already in the target"), q(1)) is None
        assert await store.get_post(WorkspaceRef("slack", "from the source"), q(1)) is not None
    finally:
        await store.close()


async def test_copy_reports_progress_for_every_table(fresh_url: FreshUrl) -> None:
    source, target = await fresh_url("sqlite"), await fresh_url("postgres")
    store = await open_store(source)
    await _community(store)
    await store.close()
    seen: dict[str, tuple[int, int]] = {}
    totals = await copy_store(
        source,
        target,
        batch_size=4,
        progress=lambda t, done, total: seen.update({t: (done, total)}),
    )
    assert totals["posts"] == 10 and totals["votes"] > 4
    assert seen == {table: (count, count) for table, count in totals.items() if count}


def _exists(sqlite_url: str) -> bool:
    return Path(sqlite_path(sqlite_url)).exists()


async def test_copy_from_a_missing_sqlite_file_creates_nothing(fresh_url: FreshUrl) -> None:
    source, target = await fresh_url("sqlite"), await fresh_url("sqlite")
    with pytest.raises(SettingsError, match="does not exist"):
        await copy_store(source, target)
    assert not _exists(source) and not _exists(target)


async def test_an_opt_out_moves_with_the_community(fresh_url: FreshUrl) -> None:
    urls = [await fresh_url("sqlite"), await fresh_url("postgres"), await fresh_url("sqlite")]
    first = await open_store(urls[0])
    await _community(first)
    await first.forget_person(DISCORD, "U_UP0", replacement_id="gone", replacement_name="Anon")
    await first.close()
    await copy_store(urls[0], urls[1])
    await copy_store(urls[1], urls[2])
    for url in urls[1:]:
        store = await open_store(url)
        try:
            assert await store.opted_out(DISCORD, "U_UP0") is True
            assert await store.opted_out(SLACK, "U_UP0") is False
            tally = await vote(store, PostId(PostKind.ANSWER, 1), "U_UP0", ws=DISCORD)
            assert (tally.ups, tally.changed) == (0, False)
        finally:
            await store.close()
