"""SQLite's questions-only search index (migration 0020): the similar-question searches read it,
it holds every question and no answer, follows a question's edits, and takes in the questions a
store held before it."""

from __future__ import annotations

import sqlite3

import pytest

from bot.ports import Store
from storage import open_store
from storage.migrations import migrations_for
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, answer, ask, q


def indexed(url: str, word: str) -> list[int]:
    """The post ids questions_fts finds for `word`, read from the file itself."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT rowid FROM questions_fts WHERE questions_fts MATCH ? ORDER BY rowid", (word,)
        )
        return [row[0] for row in rows]


async def similar(store: Store, *words: str) -> list[int]:
    found = await store.web_similar(SLACK, words, channels=None, limit=10)
    return sorted(candidate.number for candidate in found)


async def test_the_index_holds_questions_and_follows_their_edits(fresh_url: FreshUrl) -> None:
    url = await fresh_url("sqlite")
    store = await open_store(url)
    try:
        asked = await ask(store, "How do I negotiate a salary?", tags=("pay",))
        await answer(store, 1, "Negotiate the salary after the offer")
        assert indexed(url, "negotiating") == [asked.row_id]
        assert indexed(url, "pay") == [asked.row_id]
        assert await store.edit_post(SLACK, q(1), "Is a remote job worth a pay cut?")
        assert indexed(url, "negotiate") == []
        assert indexed(url, "remote") == [asked.row_id]
        assert await similar(store, "remote", "job") == [1]
        assert await similar(store, "salary") == []
    finally:
        await store.close()


async def test_questions_written_before_the_index_are_found_after_it(
    fresh_url: FreshUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await fresh_url("sqlite")
    older = [m for m in migrations_for("sqlite") if m.version < 20]
    monkeypatch.setattr("storage.sqlite.store.migrations_for", lambda dialect: older)
    store = await open_store(url)
    await ask(store, "Salary bands for a remote job")
    await answer(store, 1, "Remote salary bands vary")
    await store.close()
    monkeypatch.undo()
    store = await open_store(url)
    try:
        await ask(store, "Remote job, what salary?")  # written after it
        assert await similar(store, "salary", "remote") == [1, 2]
        assert len(indexed(url, "salary")) == 2  # the two questions, not the answer
    finally:
        await store.close()
