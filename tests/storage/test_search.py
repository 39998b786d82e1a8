"""Search on both stores: other forms of a word, an unfinished last word, tags, relevance then
votes, a snippet around the matches, and an index that covers posts from before it."""

from __future__ import annotations

import pytest

from bot.domain import SnippetPart
from bot.errors import SettingsError
from bot.ports import Store
from bot.search_query import SearchQuery
from storage import open_store
from storage.migrations import Migration, migrations_for
from tests.conftest import FreshUrl
from tests.storage.builders import SLACK, a, answer, ask, votes_for


async def found(store: Store, *words: str, tags: tuple[str, ...] = ()) -> list[str]:
    hits = await store.search(SLACK, SearchQuery(words, tags), limit=10)
    return [str(hit.post.post_id) for hit in hits]


async def test_a_word_finds_its_other_forms(store: Store) -> None:
    await ask(store, "How do I negotiate a better offer?")
    await ask(store, "Which laptop for data science?")
    assert await found(store, "negotiating") == ["Q1"]


async def test_the_last_word_also_finds_words_it_starts(store: Store) -> None:
    await ask(store, "Is my salary fair for a junior role?")
    assert await found(store, "salar") == ["Q1"]


async def test_only_the_last_word_may_be_unfinished(store: Store) -> None:
    await ask(store, "Is my salary fair for a junior role?")
    assert await found(store, "salar", "junior") == []


async def test_a_tag_finds_the_questions_tagged_with_it(store: Store) -> None:
    await ask(store, "When should I ask for a raise?", tags=("career",))
    await ask(store, "Is a career in sales a good idea?")
    assert await found(store, tags=("career",)) == ["Q1"]


async def test_a_plain_word_finds_a_tag_too(store: Store) -> None:
    await ask(store, "When should I ask for a raise?", tags=("career",))
    assert await found(store, "career") == ["Q1"]


async def test_equal_matches_show_the_higher_net_score_first(store: Store) -> None:
    await ask(store, "Where do I start?")
    await answer(store, 1, "Read the job ads first")
    await answer(store, 1, "Read the job ads first")
    await votes_for(store, a(2), ups=2, downs=0)
    assert await found(store, "ads") == ["A2", "A1"]


async def test_a_hit_shows_a_snippet_with_its_matches_marked(store: Store) -> None:
    await ask(store, "How do I negotiate my salary?")
    (hit,) = await store.search(SLACK, SearchQuery(("negotiating",)), limit=10)
    assert hit.snippet == (
        SnippetPart("How do I ", match=False),
        SnippetPart("negotiate", match=True),
        SnippetPart(" my salary?", match=False),
    )


async def test_a_long_posts_snippet_is_cut_around_the_match(store: Store) -> None:
    filler = " ".join(f"word{n}" for n in range(60))
    await ask(store, f"{filler} negotiate {filler}")
    (hit,) = await store.search(SLACK, SearchQuery(("negotiate",)), limit=10)
    shown = "".join(part.text for part in hit.snippet)
    assert shown.startswith("… ") and shown.endswith(" …") and len(shown) < 300
    assert SnippetPart("negotiate", match=True) in hit.snippet


async def test_posts_written_before_stemming_search_are_found_by_it(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = "sqlite" if store_url.startswith("sqlite") else "postgres"
    older = [m for m in migrations_for(dialect) if m.version < 10]
    _migrate_only(monkeypatch, older)
    store = await open_store(store_url)
    await ask(store, "How do I negotiate my salary?", tags=("career",))
    await store.close()
    monkeypatch.undo()
    store = await open_store(store_url)
    try:
        assert await found(store, "negotiating") == ["Q1"]
        assert await found(store, tags=("career",)) == ["Q1"]
    finally:
        await store.close()


def _migrate_only(monkeypatch: pytest.MonkeyPatch, migrations: list[Migration]) -> None:
    for module in ("storage.sqlite.store", "storage.postgres.database"):
        monkeypatch.setattr(f"{module}.migrations_for", lambda dialect: migrations)


async def test_postgres_stems_search_in_the_language_set(fresh_url: FreshUrl) -> None:
    url = await fresh_url("postgres")
    store = await open_store(url)
    await ask(store, "Wie verhandle ich mein Gehalt?")
    assert await found(store, "verhandlungen") == []
    await store.close()
    store = await open_store(url, search_language="german")
    try:
        assert await found(store, "verhandlungen") == ["Q1"]
    finally:
        await store.close()


async def test_sqlite_refuses_a_language_other_than_english(fresh_url: FreshUrl) -> None:
    with pytest.raises(SettingsError, match="needs PostgreSQL"):
        await open_store(await fresh_url("sqlite"), search_language="german")
