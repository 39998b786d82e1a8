"""Forget-me lasts, on every store: a person who opted out has no vote stored, whichever way it
comes, until they rejoin."""

from __future__ import annotations

from bot.ports import Store, VoteRow
from bot.replies import FORGOTTEN_ID
from tests.storage.builders import DISCORD, NOW, SLACK, WEIGHTS, a, answer, ask, vote
from tests.storage.conftest import raw_execute, raw_fetch

KEYS = frozenset(WEIGHTS)


async def _forget(store: Store, user: str = "U_ME") -> None:
    await store.forget_person(SLACK, user, replacement_id=FORGOTTEN_ID, replacement_name="Anon")


async def _voters(store: Store) -> list[str]:
    return [str(row[0]) for row in await raw_fetch(store, "SELECT voter_id FROM votes ORDER BY 1")]


async def test_forgetting_a_person_records_their_opt_out_in_that_workspace(store: Store) -> None:
    assert await store.opted_out(SLACK, "U_ME") is False
    await _forget(store)
    assert await store.opted_out(SLACK, "U_ME") is True
    assert await store.opted_out(DISCORD, "U_ME") is False
    assert await store.opted_out(SLACK, "U_OTHER") is False


async def test_a_live_vote_of_a_person_who_opted_out_is_not_stored(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await ask(store, ws=DISCORD)
    await answer(store, 1, ws=DISCORD)
    await vote(store, a(1), "U_OTHER")
    await _forget(store)
    tally = await vote(store, a(1), "U_ME")
    assert (tally.ups, tally.downs, tally.changed) == (1, 0, False)
    post = await store.get_post(SLACK, a(1))
    assert post is not None and post.ups == 1
    elsewhere = await vote(store, a(1), "U_ME", ws=DISCORD)  # another community: still counts
    assert (elsewhere.ups, elsewhere.changed) == (1, True)
    assert await _voters(store) == ["U_ME", "U_OTHER"]


async def test_catch_up_never_adds_a_vote_of_a_person_who_opted_out(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await _forget(store)
    mark = await store.vote_watermark()
    snapshot = [VoteRow("U_ME", "👍", 1), VoteRow("U_OTHER", "👍", 1)]
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.changed) == (1, True)
    assert await _voters(store) == ["U_OTHER"]


async def test_after_rejoining_a_persons_new_votes_count(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await _forget(store)
    assert await store.rejoin(SLACK, "U_ME") is True
    assert await store.opted_out(SLACK, "U_ME") is False
    assert await store.rejoin(SLACK, "U_ME") is False
    assert await store.rejoin(SLACK, "U_NEVER_LEFT") is False
    tally = await vote(store, a(1), "U_ME")
    assert (tally.ups, tally.changed) == (1, True)


async def test_recount_drops_votes_that_slipped_past_an_opt_out(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await ask(store, ws=DISCORD)
    await answer(store, 1, ws=DISCORD)
    await vote(store, a(1), "U_ME", ws=DISCORD)  # another community: stays
    await _forget(store)
    # A vote that raced the forget: its row went in and moved the post's count.
    await raw_execute(
        store,
        "INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms)"
        " SELECT p.id, 'U_ME', '👍', 1, 0 FROM posts p JOIN workspaces w ON w.id = p.workspace_id"
        " WHERE w.platform = 'slack' AND p.kind = 'A' AND p.number = 1",
    )
    await raw_execute(
        store,
        "UPDATE posts SET ups = 1 WHERE kind = 'A' AND workspace_id ="
        " (SELECT id FROM workspaces WHERE platform = 'slack')",
    )
    assert await store.recount(SLACK) == 1
    post = await store.get_post(SLACK, a(1))
    assert post is not None and post.ups == 0
    assert await store.personal_data(SLACK, "U_ME") == await store.personal_data(SLACK, "U_NOBODY")
    assert await _voters(store) == ["U_ME"]  # the DISCORD vote
    assert await store.recount() == 0


async def test_the_leaderboard_leaves_out_a_person_who_opted_out(store: Store) -> None:
    await ask(store)
    await _forget(store)
    await answer(store, 1, "written after forgetme", author="U_ME")
    await answer(store, 1, "someone else's", author="U_OTHER")
    await vote(store, a(1), "U_V1")
    await vote(store, a(1), "U_V2")
    await vote(store, a(2), "U_V1")
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [leader.user_id for leader in leaders] == ["U_OTHER"]
    await store.rejoin(SLACK, "U_ME")
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [leader.user_id for leader in leaders] == ["U_ME", "U_OTHER"]
