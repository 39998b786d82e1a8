"""Catch-up against live votes, on every store: the newer observation wins.

Catch-up takes a watermark, reads a post's reactions from the platform, then replaces the post's
vote rows with that snapshot. A vote change that reaches the store after the watermark is newer
than the snapshot and must survive the replace.
"""

from __future__ import annotations

from bot.ports import Store, VoteRow
from tests.storage.builders import DISCORD, NOW, SLACK, WEIGHTS, a, answer, ask, q, unvote, vote
from tests.storage.conftest import raw_fetch

KEYS = frozenset(WEIGHTS)


async def _rows(store: Store) -> list[tuple[str, str]]:
    rows = await raw_fetch(store, "SELECT voter_id, emoji FROM votes ORDER BY voter_id, emoji")
    return [(str(voter), str(emoji)) for voter, emoji in rows]


async def test_a_vote_added_live_after_the_watermark_survives_a_replace_that_lacks_it(
    store: Store,
) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_KEPT")
    await vote(store, a(1), "U_GONE")
    mark = await store.vote_watermark()
    await vote(store, a(1), "U_LIVE")  # reached qabot after the platform was read
    snapshot = [VoteRow("U_KEPT", "👍", 1)]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.downs, tally.changed) == (2, 0, True)
    assert await _rows(store) == [("U_KEPT", "👍"), ("U_LIVE", "👍")]


async def test_a_later_catch_up_drops_a_live_vote_its_own_read_no_longer_shows(
    store: Store,
) -> None:
    await ask(store)
    await answer(store, 1)
    first = await store.vote_watermark()
    await vote(store, a(1), "U_LIVE")
    second = await store.vote_watermark()  # a later catch-up, reading the platform afresh
    assert second > first
    tally = await store.replace_votes(SLACK, a(1), [], emoji=KEYS, since=second, at=NOW)
    assert (tally.ups, tally.changed) == (0, True)
    assert await _rows(store) == []


async def test_a_vote_removed_live_after_the_watermark_is_not_added_back(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_REMOVED")
    mark = await store.vote_watermark()
    await unvote(store, a(1), "U_REMOVED")
    # Added while qabot was not listening, removed live after the platform was read.
    await unvote(store, a(1), "U_UNSEEN")
    snapshot = [
        VoteRow("U_REMOVED", "👍", 1),
        VoteRow("U_UNSEEN", "👍", 1),
        VoteRow("U_NEW", "👍", 1),
    ]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.downs, tally.changed) == (1, 0, True)
    assert await _rows(store) == [("U_NEW", "👍")]


async def test_votes_cleared_live_after_the_watermark_are_not_added_back(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_A")
    await vote(store, a(1), "U_B", "👎")
    mark = await store.vote_watermark()
    await store.clear_votes(SLACK, a(1), emoji="👎")
    snapshot = [VoteRow("U_A", "👍", 1), VoteRow("U_B", "👎", -1)]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.downs, tally.changed) == (1, 0, False)
    assert await _rows(store) == [("U_A", "👍")]


async def test_a_vote_removed_before_the_watermark_comes_back_if_the_platform_shows_it(
    store: Store,
) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_BACK")
    await unvote(store, a(1), "U_BACK")
    mark = await store.vote_watermark()  # re-added while qabot was not listening
    snapshot = [VoteRow("U_BACK", "👍", 1)]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.changed) == (1, True)


async def test_a_replace_touches_only_the_emoji_keys_it_covers(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_A", "👍")
    await vote(store, a(1), "U_B", "👎")
    await vote(store, a(1), "U_C", "⬆")  # a key this replace does not cover
    mark = await store.vote_watermark()
    snapshot = [VoteRow("U_A", "👍", 1), VoteRow("U_D", "👍", 1), VoteRow("U_E", "⬇", -1)]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji={"👍", "👎"}, since=mark, at=NOW)
    assert (tally.ups, tally.downs, tally.changed) == (3, 0, True)
    assert await _rows(store) == [("U_A", "👍"), ("U_C", "⬆"), ("U_D", "👍")]


async def test_held_votes_counts_each_posts_rows_per_emoji(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await answer(store, 1)
    await ask(store, ws=DISCORD)
    await answer(store, 1, ws=DISCORD)
    await vote(store, a(1), "U_A", "👍")
    await vote(store, a(1), "U_B", "👍")
    await vote(store, a(1), "U_A", "👎")
    await vote(store, q(1), "U_C", "⬆")
    await vote(store, a(1), "U_D", ws=DISCORD)  # another workspace's A1
    held = await store.held_votes(SLACK, [q(1), a(1), a(2), a(7)])
    assert held == {a(1): {"👍": 2, "👎": 1}, q(1): {"⬆": 1}}
    assert await store.held_votes(DISCORD, [a(1)]) == {a(1): {"👍": 1}}
    assert await store.held_votes(SLACK, []) == {}
