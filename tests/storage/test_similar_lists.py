"""Kept lists of similar questions on every store (bot/similar_lists.py makes them): read most
similar first without what the web view no longer shows, replaced whole, joined by the
questions they list, and cut to the size asked for."""

from __future__ import annotations

import asyncio

from bot.domain import WorkspaceRef
from bot.ports import NewQuestion, Store
from bot.similar_lists import KEPT, make_similar_list
from tests.storage.builders import DISCORD, NOW, SLACK, ask, q


async def _listed(
    store: Store, number: int, *, limit: int = 10, ws: WorkspaceRef = SLACK
) -> list[int]:
    thread = await store.web_thread(ws, number, answers=1, similar=limit)
    assert thread is not None
    return [question.number for question in thread.similar]


async def _made_for(store: Store, number: int) -> str | None:
    thread = await store.web_thread(SLACK, number, answers=1, similar=1)
    assert thread is not None
    return thread.similar_made_for


async def test_a_kept_list_reads_most_similar_first_and_the_newest_of_equals(
    store: Store,
) -> None:
    for _ in range(5):
        await ask(store)
    assert await _made_for(store, 1) is None
    await store.keep_similar(SLACK, 1, [(2, 0.5), (3, 0.9), (4, 0.5)], made_for="*", keep=10)
    assert await _made_for(store, 1) == "*"
    assert await _listed(store, 1) == [3, 4, 2]
    assert await _listed(store, 1, limit=2) == [3, 4]
    assert await _made_for(store, 5) is None and await _listed(store, 5) == []


async def test_a_kept_list_skips_what_the_web_view_no_longer_shows(store: Store) -> None:
    for _ in range(4):
        await ask(store)
    private = NewQuestion(SLACK, "CPRIV", "U_ASK", "n", "Private?", (), False, NOW, True)
    await store.add_question(private)
    entries = [(2, 0.9), (3, 0.8), (4, 0.7), (5, 0.6)]
    await store.keep_similar(SLACK, 1, entries, made_for="*", keep=10)
    await store.set_web_hidden(SLACK, 2, True)
    await store.remove_post(SLACK, q(3))
    assert await _listed(store, 1) == [4]
    await store.set_web_hidden(SLACK, 2, False)
    assert await _listed(store, 1) == [2, 4]


async def test_keeping_a_list_again_replaces_it_whole(store: Store) -> None:
    for _ in range(4):
        await ask(store)
    await store.keep_similar(SLACK, 1, [(2, 0.9), (3, 0.8)], made_for="C1", keep=10)
    await store.keep_similar(SLACK, 1, [(4, 0.5)], made_for="C1 C2", keep=10)
    assert await _listed(store, 1) == [4]
    assert await _made_for(store, 1) == "C1 C2"
    await store.keep_similar(SLACK, 1, [], made_for="*", keep=10)
    assert await _listed(store, 1) == [] and await _made_for(store, 1) == "*"


async def test_a_question_joins_the_lists_made_for_the_same_channels_of_those_it_lists(
    store: Store,
) -> None:
    for _ in range(4):
        await ask(store)
    await store.keep_similar(SLACK, 1, [], made_for="*", keep=10)
    await store.keep_similar(SLACK, 2, [], made_for="C1", keep=10)
    await store.keep_similar(SLACK, 4, [(1, 0.7), (2, 0.8), (3, 0.9)], made_for="*", keep=10)
    assert await _listed(store, 1) == [4]
    assert await _listed(store, 2) == []  # made for other channels: made again when read
    assert await _made_for(store, 3) is None  # none yet: made, with 4, at its first view
    assert await _listed(store, 3) == []


async def test_a_list_a_question_joins_keeps_its_most_similar(store: Store) -> None:
    for _ in range(6):
        await ask(store)
    await store.keep_similar(SLACK, 1, [(2, 0.9), (3, 0.6)], made_for="*", keep=2)
    await store.keep_similar(SLACK, 4, [(1, 0.8)], made_for="*", keep=2)
    assert await _listed(store, 1) == [2, 4]
    await store.keep_similar(SLACK, 5, [(1, 0.5)], made_for="*", keep=2)
    assert await _listed(store, 1) == [2, 4]
    await store.keep_similar(SLACK, 6, [(1, 0.95)], made_for="*", keep=2)
    assert await _listed(store, 1) == [6, 2]


async def test_kept_lists_are_per_workspace(store: Store) -> None:
    await ask(store)
    await ask(store)
    await ask(store, ws=DISCORD)
    await ask(store, ws=DISCORD)
    await store.keep_similar(SLACK, 1, [(2, 0.9)], made_for="*", keep=10)
    assert await _listed(store, 1, ws=DISCORD) == []
    await store.keep_similar(DISCORD, 1, [], made_for="*", keep=10)
    await store.keep_similar(DISCORD, 2, [(1, 0.9)], made_for="*", keep=10)
    assert await _listed(store, 1) == [2] and await _listed(store, 2) == []
    assert await _listed(store, 1, ws=DISCORD) == [2]


async def test_lists_made_at_once_for_questions_alike_each_keep_their_most_similar(
    store: Store,
) -> None:
    questions = [
        await ask(store, f"Salary negotiation for a remote job offer {n}") for n in range(12)
    ]
    await asyncio.gather(*(make_similar_list(store, q, channels=None) for q in questions))
    for question in questions:
        listed = await _listed(store, question.number, limit=20)
        assert len(listed) == KEPT and question.number not in listed
