"""A read-only store (a page process's, `[web] workers`), on every store: it reads what the
writing store commits, as soon as it is committed, and refuses every write, changing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import SettingsError, StoreUnavailable
from bot.ports import Store
from storage import open_store
from tests.storage.builders import SLACK, answer, ask
from tests.storage.conftest import raw_fetch


@pytest.fixture
async def reader(store: Store, store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url, read_only=True)
    yield opened
    await opened.close()


async def test_a_read_only_store_reads_what_the_writer_commits(store: Store, reader: Store) -> None:
    assert await reader.web_question(SLACK, 1) is None  # a workspace it has never seen
    await ask(store)
    await answer(store, 1)
    question = await reader.web_question(SLACK, 1)
    assert question is not None and question.answer_count == 1
    await store.set_web_hidden(SLACK, 1, True)
    assert await reader.web_hidden(SLACK) == {1}


async def test_a_read_only_store_refuses_writes_and_changes_nothing(
    store: Store, reader: Store
) -> None:
    await ask(store)
    before = await raw_fetch(store, "SELECT number FROM web_hidden ORDER BY 1")
    with pytest.raises(StoreUnavailable):
        await reader.set_web_hidden(SLACK, 1, True)
    with pytest.raises(StoreUnavailable):
        await reader.keep_similar(SLACK, 1, [], made_for="*", keep=10)
    assert await raw_fetch(store, "SELECT number FROM web_hidden ORDER BY 1") == before
    assert await store.web_hidden(SLACK) == frozenset()


async def test_a_missing_sqlite_file_is_not_made_by_a_read_only_open(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(SettingsError, match=r"cannot be opened: there is no such file$"):
        await open_store(f"sqlite:///{missing}", read_only=True)
    assert not missing.exists()
