"""The Store contract: every rule of DESIGN.md a store enforces, run against every store.

The `store` fixture is parametrised (a SQLite file; a fresh PostgreSQL schema), so each test here
runs once per store, unchanged.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.domain import MessageRef, PostId, PostKind, Question, TopQuery, Window, WorkspaceRef
from bot.errors import NotFound, StoreUnavailable
from bot.ports import Store, VoteRow
from bot.replies import FORGOTTEN_ID
from bot.search_query import SearchQuery
from bot.voting import wilson_lower_bound
from storage import open_store
from tests.storage.builders import (
    DISCORD,
    NOW,
    SLACK,
    WEIGHTS,
    a,
    answer,
    ask,
    days_ago,
    q,
    unvote,
    vote,
    votes_for,
)
from tests.storage.conftest import raw_execute, raw_fetch

TOP = TopQuery(channel_id="C1", window=Window.ALL)
KEYS = frozenset(WEIGHTS)  # every emoji key a replace covers

# Questions ------------------------------------------------------------------------------------


async def test_questions_are_numbered_per_workspace(store: Store) -> None:
    numbers = [(await ask(store, ws=ws)).number for ws in (SLACK, SLACK, DISCORD, SLACK)]
    assert numbers == [1, 2, 1, 3]


async def test_a_question_keeps_its_text_tags_anonymity_and_utc_time(store: Store) -> None:
    asked = await ask(store, "Is a PhD worth it?", tags=("ml", "phd"), anonymous=True)
    found = await store.get_post(SLACK, q(1))
    assert found == asked
    assert isinstance(found, Question)
    assert (found.text, found.tags, found.anonymous, found.asker_id) == (
        "Is a PhD worth it?", ("ml", "phd"), True, "U_ASK",
    )  # fmt: skip
    assert found.created_at == NOW


async def test_a_linked_question_is_found_by_its_message_and_its_thread(store: Store) -> None:
    await ask(store)
    await store.link_question(SLACK, 1, message=MessageRef("C1", "100.1"), thread_key="100.1")
    by_message = await store.get_post_by_message(SLACK, MessageRef("C1", "100.1"))
    by_thread = await store.get_question_by_thread(SLACK, "100.1")
    assert by_message is not None and by_message.post_id == q(1)
    assert by_thread is not None and by_thread.message == MessageRef("C1", "100.1")


async def test_an_id_from_another_workspace_is_not_found(store: Store) -> None:
    await ask(store, "salary question")
    await answer(store, 1, "salary answer", message=MessageRef("C1", "200.1"))
    await store.link_question(SLACK, 1, message=MessageRef("C1", "100.1"), thread_key="100.1")
    other = WorkspaceRef("slack", "T_OTHER")
    assert await store.get_post(other, q(1)) is None
    assert await store.get_post(DISCORD, a(1)) is None
    assert await store.get_post_by_message(other, MessageRef("C1", "100.1")) is None
    assert await store.get_question_by_thread(other, "100.1") is None
    assert await store.edit_post(other, q(1), "hijacked") is False
    assert await store.remove_post(other, q(1)) is False
    assert (await vote(store, a(1), "U_X", ws=other)).changed is False
    assert await store.top_answers(other, TOP, since=None) == []
    assert await store.search(other, SearchQuery(("salary",)), limit=10) == []
    with pytest.raises(NotFound):
        await answer(store, 1, ws=other)
    found = await store.get_post(SLACK, a(1))
    assert found is not None and (found.text, found.ups) == ("salary answer", 0)


async def test_an_id_too_large_for_any_post_is_simply_not_found(store: Store) -> None:
    await ask(store)
    assert await store.get_post(SLACK, PostId(PostKind.QUESTION, 10**18 - 1)) is None
    assert (await vote(store, PostId(PostKind.ANSWER, 10**18 - 1), "U_X")).changed is False


# Answers --------------------------------------------------------------------------------------


async def test_answers_are_numbered_per_workspace_across_questions(store: Store) -> None:
    await ask(store)
    await ask(store)
    await ask(store, ws=DISCORD)
    numbers = [
        (await answer(store, 2)).number,
        (await answer(store, 1)).number,
        (await answer(store, 1, ws=DISCORD)).number,
        (await answer(store, 2)).number,
    ]
    assert numbers == [1, 2, 1, 3]


async def test_the_same_answer_message_twice_yields_the_first_answer(store: Store) -> None:
    await ask(store)
    message = MessageRef("C1", "300.1")
    first = await answer(store, 1, "first delivery", message=message)
    again = await answer(store, 1, "redelivered", message=message)
    after = await answer(store, 1, "a new message", message=MessageRef("C1", "300.2"))
    assert again == first and again.text == "first delivery"
    assert after.number == first.number + 1  # the redelivery burned no number


async def test_answering_a_removed_or_unknown_question_is_not_found(store: Store) -> None:
    await ask(store)
    await store.remove_post(SLACK, q(1))
    with pytest.raises(NotFound):
        await answer(store, 1)
    with pytest.raises(NotFound):
        await answer(store, 99, message=MessageRef("C1", "1.1"))
    assert (await ask(store)).number == 2  # and the store carries on


async def test_a_failed_write_in_a_new_workspace_leaks_nothing_into_the_next(
    store: Store,
) -> None:
    first, second = WorkspaceRef("slack", "T_NEW1"), WorkspaceRef("slack", "T_NEW2")
    with pytest.raises(NotFound):
        await answer(store, 1, ws=first)
    await ask(store, "second's question", ws=second)
    assert (await ask(store, "first's question", ws=first)).number == 1
    assert await store.get_post(second, q(2)) is None


async def test_a_linked_answer_is_found_by_its_message(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await store.link_answer(SLACK, 1, MessageRef("C1", "400.1"))
    found = await store.get_post_by_message(SLACK, MessageRef("C1", "400.1"))
    assert found is not None and found.post_id == a(1)


async def test_an_edit_updates_the_stored_text_and_what_search_finds(store: Store) -> None:
    await ask(store)
    await answer(store, 1, "negotiate politely")
    assert await store.edit_post(SLACK, a(1), "negotiate firmly") is True
    found = await store.get_post(SLACK, a(1))
    assert found is not None and found.text == "negotiate firmly"
    assert await store.search(SLACK, SearchQuery(("politely",)), limit=10) == []
    hits = await store.search(SLACK, SearchQuery(("firmly",)), limit=10)
    assert [hit.post.post_id for hit in hits] == [a(1)]


async def test_a_removed_answer_and_its_votes_are_hidden(store: Store) -> None:
    await ask(store, "salary talk")
    await answer(store, 1, "salary advice", message=MessageRef("C1", "500.1"))
    await answer(store, 1, "other advice")
    await vote(store, a(1), "U_V")
    assert await store.remove_post(SLACK, a(1)) is True
    assert await store.remove_post(SLACK, a(1)) is False
    assert await store.get_post(SLACK, a(1)) is None
    assert await store.get_post_by_message(SLACK, MessageRef("C1", "500.1")) is None
    assert [r.answer.number for r in await store.top_answers(SLACK, TOP, since=None)] == [2]
    hits = await store.search(SLACK, SearchQuery(("salary",)), limit=9)
    assert [hit.post.post_id for hit in hits] == [q(1)]
    question = await store.get_post(SLACK, q(1))
    assert isinstance(question, Question) and question.answer_count == 1


async def test_removing_a_question_hides_its_answers(store: Store) -> None:
    await ask(store)
    await ask(store)
    await answer(store, 1)
    await answer(store, 2)
    assert await store.remove_post(SLACK, q(1)) is True
    assert await store.get_post(SLACK, a(1)) is None
    assert await store.get_post(SLACK, a(2)) is not None


# Votes ----------------------------------------------------------------------------------------


async def test_a_vote_counts_once_however_often_it_is_delivered(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    first = await vote(store, a(1), "U_V")
    again = await vote(store, a(1), "U_V")
    assert (first.ups, first.downs, first.changed) == (1, 0, True)
    assert (again.ups, again.downs, again.changed) == (1, 0, False)


async def test_removing_a_reaction_never_seen_changes_nothing(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_V")
    tally = await unvote(store, a(1), "U_OTHER")
    assert (tally.ups, tally.downs, tally.changed) == (1, 0, False)


async def test_a_persons_vote_is_the_sign_of_their_reactions(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_BOTH_UP", "👍")
    await vote(store, a(1), "U_BOTH_UP", "⬆")
    await vote(store, a(1), "U_MIXED", "👍")
    await vote(store, a(1), "U_MIXED", "👎")
    await vote(store, a(1), "U_DOWN", "👎")
    tally = await vote(store, a(1), "U_DOWN", "⬇")
    assert (tally.ups, tally.downs) == (1, 1)
    tally = await unvote(store, a(1), "U_MIXED", "👎")
    assert (tally.ups, tally.downs, tally.changed) == (2, 1, True)


async def test_a_vote_write_says_the_voters_net_vote_after_it(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    assert (await vote(store, a(1), "U_V", "👍")).voter_net == 1
    assert (await vote(store, a(1), "U_V", "👎")).voter_net == 0
    assert (await unvote(store, a(1), "U_V", "👍")).voter_net == -1


async def test_clearing_one_emoji_or_every_reaction_recounts(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await votes_for(store, a(1), ups=2, downs=1)
    tally = await store.clear_votes(SLACK, a(1), emoji="👎")
    assert (tally.ups, tally.downs, tally.changed) == (2, 0, True)
    tally = await store.clear_votes(SLACK, a(1), emoji=None)
    assert (tally.ups, tally.downs, tally.changed) == (0, 0, True)
    assert (await store.clear_votes(SLACK, a(1), emoji=None)).changed is False


async def test_votes_on_a_removed_post_change_nothing(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await store.remove_post(SLACK, a(1))
    assert (await vote(store, a(1), "U_V")).changed is False
    assert await raw_fetch(store, "SELECT voter_id FROM votes") == []


async def test_recount_rebuilds_every_count_from_the_vote_rows(store: Store) -> None:
    await ask(store)
    await ask(store, ws=DISCORD)
    await answer(store, 1)
    await answer(store, 1, ws=DISCORD)
    await votes_for(store, a(1), ups=3, downs=1)
    await vote(store, a(1), "U_D", ws=DISCORD)
    await raw_execute(store, "UPDATE posts SET ups = 40, downs = 2")
    assert await store.recount(SLACK) == 2  # Q1 and A1 of SLACK; DISCORD's stay drifted
    found = await store.get_post(SLACK, a(1))
    assert found is not None and (found.ups, found.downs) == (3, 1)
    assert await store.recount() == 2
    assert await store.recount() == 0
    top = await store.top_answers(SLACK, TOP, since=None)
    assert top[0].answer.ups == 3


# Ranking --------------------------------------------------------------------------------------


async def test_top_ranks_by_wilson_bound_then_net_score_then_age(store: Store) -> None:
    await ask(store, at=days_ago(3))
    counts = [(1, 0), (10, 1), (0, 0), (0, 1), (1, 0), (0, 0), (2, 2)]
    for n, (ups, downs) in enumerate(counts, start=1):
        await answer(store, 1, at=days_ago(2 - n * 0.1), author=f"U_A{n}")
        await votes_for(store, a(n), ups=ups, downs=downs)
    ranked = await store.top_answers(SLACK, TOP, since=None)
    # Wilson: A2 > A1 = A5 > A7 (2 up, 2 down) > the rest at 0, where net score puts A4 last.
    assert [r.answer.number for r in ranked] == [2, 1, 5, 7, 3, 6, 4]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6, 7]
    assert ranked[0].question.post_id == q(1)


async def test_rank_score_is_exactly_the_wilson_lower_bound(store: Store) -> None:
    await ask(store)
    counts = [(0, 0), (1, 0), (0, 1), (7, 3), (3, 7), (12, 1), (5, 5)]
    for number, (ups, downs) in enumerate(counts, start=1):
        await answer(store, 1, author=f"U_A{number}")
        await votes_for(store, a(number), ups=ups, downs=downs)
    rows = await raw_fetch(store, "SELECT ups, downs, rank_score FROM posts WHERE kind = 'A'")
    assert sorted(rows) == sorted((u, d, wilson_lower_bound(u, d)) for u, d in counts)


async def test_top_scopes_by_channel_window_tag_and_question(store: Store) -> None:
    await ask(store, channel="C1", tags=("ml",), at=days_ago(40))
    await ask(store, channel="C1", at=days_ago(40))
    await ask(store, channel="C2", tags=("ml",), at=days_ago(40))
    await answer(store, 1, at=days_ago(30))  # A1: C1, #ml, a month ago
    await answer(store, 2, at=days_ago(2))  # A2: C1, this week
    await answer(store, 3, at=days_ago(1))  # A3: C2, #ml, today-ish

    async def top(query: TopQuery, since_days: float | None = None) -> list[int]:
        since = None if since_days is None else days_ago(since_days)
        return [r.answer.number for r in await store.top_answers(SLACK, query, since=since)]

    assert await top(TopQuery("C1")) == [1, 2]
    assert await top(TopQuery("C1"), since_days=7) == [2]
    assert await top(TopQuery("C2")) == [3]
    assert await top(TopQuery(None, tag="ml")) == [1, 3]
    assert await top(TopQuery("C1", tag="ml")) == [1]
    assert await top(TopQuery("C2", question=2)) == [2]  # one question: its channel is implied
    assert await top(TopQuery("C1", limit=1)) == [1]


async def test_the_accepted_answer_is_flagged_until_unaccepted(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await answer(store, 1)
    await votes_for(store, a(1), ups=2, downs=0)
    await store.set_accepted(SLACK, 1, 2)
    ranked = await store.top_answers(SLACK, TOP, since=None)
    assert [(r.answer.number, r.accepted) for r in ranked] == [(1, False), (2, True)]
    question = await store.get_post(SLACK, q(1))
    assert isinstance(question, Question) and question.accepted_answer == 2
    await store.set_accepted(SLACK, 1, None)
    assert not any(r.accepted for r in await store.top_answers(SLACK, TOP, since=None))


async def test_accepting_a_removed_answer_is_refused_and_accepts_nothing(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await store.remove_post(SLACK, a(1))
    with pytest.raises(NotFound, match="There is no A1 here"):
        await store.set_accepted(SLACK, 1, 1)
    assert await raw_fetch(store, _ACCEPTED_ANY) == []


async def test_accepting_an_answer_to_another_question_or_workspace_is_refused(
    store: Store,
) -> None:
    await ask(store)
    await ask(store)
    await answer(store, 1)
    await answer(store, 2)
    with pytest.raises(NotFound, match="There is no A2 here"):
        await store.set_accepted(SLACK, 1, 2)
    await ask(store, ws=DISCORD)
    with pytest.raises(NotFound, match="There is no A1 here"):
        await store.set_accepted(DISCORD, 1, 1)
    assert await raw_fetch(store, _ACCEPTED_ANY) == []


async def test_removing_the_accepted_answer_leaves_the_question_without_one(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await store.set_accepted(SLACK, 1, 1)
    await store.remove_post(SLACK, a(1))
    question = await store.get_post(SLACK, q(1))
    assert isinstance(question, Question) and question.accepted_answer is None
    assert await raw_fetch(store, _ACCEPTED_REMOVED) == [(0,)]


async def test_an_accept_racing_a_removal_never_leaves_a_removed_answer_accepted(
    store: Store,
) -> None:
    for number in range(1, 31):
        await ask(store)
        await answer(store, number)
        removed, accepted = await asyncio.gather(
            store.remove_post(SLACK, a(number)),
            store.set_accepted(SLACK, number, number),
            return_exceptions=True,
        )
        assert removed is True
        if accepted is not None:
            assert isinstance(accepted, NotFound), accepted
    assert await raw_fetch(store, _ACCEPTED_REMOVED) == [(0,)]
    # Whichever came first, no question shows an accepted answer: each answer is gone.
    for number in range(1, 31):
        question = await store.get_post(SLACK, q(number))
        assert isinstance(question, Question) and question.accepted_answer is None


_ACCEPTED_ANY = "SELECT id FROM posts WHERE accepted_answer_id IS NOT NULL"
_ACCEPTED_REMOVED = (
    "SELECT COUNT(*) FROM posts q JOIN posts x ON x.id = q.accepted_answer_id WHERE x.removed"
)


# Search ---------------------------------------------------------------------------------------


async def test_search_finds_posts_containing_every_word(store: Store) -> None:
    await ask(store, "How do I negotiate a salary offer?")
    await answer(store, 1, "Negotiate the salary after the offer arrives")
    await answer(store, 1, "Salary bands are public at many companies")
    hits = await store.search(SLACK, SearchQuery(("salary", "offer")), limit=10)
    assert sorted(str(hit.post.post_id) for hit in hits) == ["A1", "Q1"]
    assert all(hit.question.post_id == q(1) for hit in hits)
    assert await store.search(SLACK, SearchQuery(("salary", "unicorn")), limit=10) == []
    assert len(await store.search(SLACK, SearchQuery(("salary",)), limit=2)) == 2


async def test_search_ranks_the_closer_match_first(store: Store) -> None:
    await ask(store, "Where do people discuss careers in data engineering and analytics today?")
    await answer(store, 1, "Resume resume resume: keep your resume short")
    await answer(store, 1, "Pipelines, warehouses, dashboards, and one resume tip somewhere here")
    hits = await store.search(SLACK, SearchQuery(("resume",)), limit=10)
    assert [hit.post.post_id for hit in hits] == [a(1), a(2)]


@pytest.mark.parametrize(
    "words", [['"'], ['a"b'], ["NEAR", "("], ["foo*", "-bar"], ["&", "|", "!", ":*"], ["'"]]
)
async def test_search_never_raises_on_query_syntax(store: Store, words: list[str]) -> None:
    await ask(store, 'Quotes " and stars * and (brackets) & pipes | here')
    assert isinstance(await store.search(SLACK, SearchQuery(tuple(words)), limit=10), list)


# Once per community ----------------------------------------------------------------------------


async def test_work_is_claimed_once_per_workspace_and_period(store: Store) -> None:
    claim = store.claim
    assert await claim(SLACK, "digest", period="2026-W47", owner="p1", at=NOW) is True
    assert await claim(SLACK, "digest", period="2026-W47", owner="p2", at=NOW) is False
    assert await claim(SLACK, "digest", period="2026-W48", owner="p2", at=NOW) is True
    assert await claim(DISCORD, "digest", period="2026-W47", owner="p2", at=NOW) is True


async def test_concurrent_claims_of_one_period_have_exactly_one_winner(store: Store) -> None:
    owners = [f"p{i % 3}" for i in range(30)]  # some calls identical: still one winner
    won = await asyncio.gather(
        *(
            store.claim(SLACK, "hot", period=f"A{n}", owner=o, at=NOW)
            for n in (1, 2)
            for o in owners
        )
    )
    assert sum(won[:30]) == 1 and sum(won[30:]) == 1


async def test_opening_a_migrated_store_again_applies_nothing(store: Store, store_url: str) -> None:
    await ask(store)
    again = await open_store(store_url, migrate=False)
    try:
        assert await again.migrate() == 0  # type: ignore[attr-defined]
        found = await again.get_post(SLACK, q(1))
        assert found is not None and replace(found, row_id=0) == replace(found)
    finally:
        await again.close()


# Catch-up after downtime ----------------------------------------------------------------------


async def test_recent_questions_are_the_live_posted_ones_since_a_time_newest_first(
    store: Store,
) -> None:
    await ask(store, "old", at=days_ago(20))
    await ask(store, "never posted", at=days_ago(2))
    await ask(store, "removed", at=days_ago(2))
    await ask(store, "older", at=days_ago(3))
    await ask(store, "newer", at=days_ago(1))
    await ask(store, "other workspace", ws=DISCORD, at=days_ago(1))
    for number in (1, 3, 4, 5):
        await store.link_question(SLACK, number, message=MessageRef("C1", f"{number}.0"),
                                  thread_key=f"C1/{number}.0")  # fmt: skip
    await store.link_question(DISCORD, 1, message=MessageRef("C9", "9.0"), thread_key="9")
    await store.remove_post(SLACK, q(3))
    recent = await store.recent_questions(SLACK, since=days_ago(14), limit=10)
    assert [(x.text, x.message) for x in recent] == [
        ("newer", MessageRef("C1", "5.0")), ("older", MessageRef("C1", "4.0")),
    ]  # fmt: skip


async def test_answers_to_a_question_are_its_live_answers_in_order(store: Store) -> None:
    await ask(store)
    await ask(store, "another")
    await answer(store, 1, "first")
    await answer(store, 2, "elsewhere")
    await answer(store, 1, "gone")
    await answer(store, 1, "third")
    await store.remove_post(SLACK, a(3))
    assert [x.text for x in await store.answers_to(SLACK, 1)] == ["first", "third"]
    assert await store.answers_to(DISCORD, 1) == []


async def test_replacing_votes_makes_the_rows_exactly_the_snapshot(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_STAYS")
    await vote(store, a(1), "U_LEFT")
    snapshot = [VoteRow("U_STAYS", "👍", 1), VoteRow("U_NEW", "👎", -1), VoteRow("U_NEW2", "👍", 1)]
    mark = await store.vote_watermark()
    tally = await store.replace_votes(SLACK, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
    assert (tally.ups, tally.downs, tally.changed) == (2, 1, True)
    rows = await raw_fetch(store, "SELECT voter_id, emoji FROM votes ORDER BY voter_id")
    assert [tuple(r) for r in rows] == [("U_NEW", "👎"), ("U_NEW2", "👍"), ("U_STAYS", "👍")]


async def test_replacing_votes_with_what_is_there_changes_nothing(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_X")
    mark = await store.vote_watermark()
    tally = await store.replace_votes(
        SLACK, a(1), [VoteRow("U_X", "👍", 1)], emoji=KEYS, since=mark, at=NOW
    )
    assert (tally.ups, tally.changed) == (1, False)


async def test_replacing_votes_with_none_clears_the_post(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await votes_for(store, a(1), 2, 1)
    mark = await store.vote_watermark()
    tally = await store.replace_votes(SLACK, a(1), [], emoji=KEYS, since=mark, at=NOW)
    post = await store.get_post(SLACK, a(1))
    assert (tally.ups, tally.downs, tally.changed) == (0, 0, True)
    assert post is not None and (post.ups, post.downs) == (0, 0)


async def test_replacing_votes_on_a_removed_or_foreign_post_changes_nothing(store: Store) -> None:
    await ask(store)
    await answer(store, 1)
    await vote(store, a(1), "U_X")
    await store.remove_post(SLACK, a(1))
    other = WorkspaceRef("slack", "T_OTHER")
    mark = await store.vote_watermark()
    for ws in (SLACK, other):
        snapshot = [VoteRow("U_Y", "👍", 1)]
        tally = await store.replace_votes(ws, a(1), snapshot, emoji=KEYS, since=mark, at=NOW)
        assert tally.changed is False
    rows = await raw_fetch(store, "SELECT voter_id FROM votes")
    assert [tuple(r) for r in rows] == [("U_X",)]


# Surfacing: leaderboard, unanswered, similar candidates, tags, personal data -------------------


async def _vote_at(store: Store, post: PostId, voter: str, weight: int, days: float) -> None:
    emoji = "👍" if weight > 0 else "👎"
    await store.add_vote(SLACK, post, voter_id=voter, emoji=emoji, weight=weight, at=days_ago(days))


async def test_leaderboard_ranks_authors_by_net_votes_on_their_answers(store: Store) -> None:
    await ask(store)
    await answer(store, 1, author="U_ANA")  # A1: +2 -1
    await answer(store, 1, author="U_BEN")  # A2: +3
    await answer(store, 1, author="U_ANA")  # A3: +1, so Ana has +2 net overall
    for voter, weight in (("V1", 1), ("V2", 1), ("V3", -1)):
        await _vote_at(store, a(1), voter, weight, 1)
    for voter in ("V1", "V2", "V3"):
        await _vote_at(store, a(2), voter, 1, 1)
    await _vote_at(store, a(3), "V1", 1, 1)
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [(x.user_id, x.ups, x.downs, x.net) for x in leaders] == [
        ("U_BEN", 3, 0, 3), ("U_ANA", 3, 1, 2),
    ]  # fmt: skip


async def test_leaderboard_counts_only_votes_made_in_the_window(store: Store) -> None:
    await ask(store)
    await answer(store, 1, author="U_ANA")
    await _vote_at(store, a(1), "V_OLD", 1, 10)
    await _vote_at(store, a(1), "V_NEW", 1, 1)
    leaders = await store.leaderboard(SLACK, since=days_ago(7), limit=10)
    assert [(x.user_id, x.ups) for x in leaders] == [("U_ANA", 1)]


async def test_leaderboard_forgets_removed_votes_and_deleted_answers(store: Store) -> None:
    await ask(store)
    await answer(store, 1, author="U_ANA")
    await answer(store, 1, author="U_BEN")
    await votes_for(store, a(1), 2, 0)
    await votes_for(store, a(2), 3, 0)
    await unvote(store, a(1), "U_UP0")
    await store.remove_post(SLACK, a(2))
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [(x.user_id, x.net) for x in leaders] == [("U_ANA", 1)]


async def test_leaderboard_counts_accepted_answers(store: Store) -> None:
    await ask(store)
    await answer(store, 1, author="U_ANA")
    await store.set_accepted(SLACK, 1, 1)
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [(x.user_id, x.net, x.accepted) for x in leaders] == [("U_ANA", 0, 1)]


async def test_leaderboard_never_lists_an_anonymous_asker(store: Store) -> None:
    await ask(store, asker="U_SECRET", anonymous=True)
    await votes_for(store, q(1), 4, 0)
    await answer(store, 1, author="U_ANA")
    await vote(store, a(1), "V1")
    leaders = await store.leaderboard(SLACK, since=None, limit=10)
    assert [x.user_id for x in leaders] == ["U_ANA"]


async def test_unanswered_lists_open_questions_without_live_answers_oldest_first(
    store: Store,
) -> None:
    await ask(store, "newest", at=days_ago(1))
    await ask(store, "answered", at=days_ago(3))
    await ask(store, "oldest", at=days_ago(5))
    await ask(store, "its answer was removed", at=days_ago(2))
    await ask(store, "removed itself", at=days_ago(4))
    await answer(store, 2)
    await answer(store, 4)
    await store.remove_post(SLACK, a(2))
    await store.remove_post(SLACK, q(5))
    found = await store.unanswered(SLACK, since=None, channel_id="C1", limit=10)
    assert [x.text for x in found] == ["oldest", "its answer was removed", "newest"]


async def test_unanswered_keeps_private_channels_to_themselves(store: Store) -> None:
    from bot.ports import NewQuestion

    await store.add_question(
        NewQuestion(SLACK, "G_PRIV", "U1", "u", "secret plans", (), False, NOW, True)
    )
    elsewhere = await store.unanswered(SLACK, since=None, channel_id="C1", limit=10)
    inside = await store.unanswered(SLACK, since=None, channel_id="G_PRIV", limit=10)
    assert (len(elsewhere), [x.text for x in inside]) == (0, ["secret plans"])


async def test_similar_candidates_match_other_forms_of_a_word_in_live_questions(
    store: Store,
) -> None:
    await ask(store, "How should I negotiate my salary?")
    await ask(store, "Negotiating a raise after a promotion")
    await ask(store, "Which laptop for data science?")
    await ask(store, "Negotiation tips, removed")
    await store.remove_post(SLACK, q(4))
    found = await store.similar_candidates(SLACK, ["negotiation"], channel_id="C1", limit=10)
    assert sorted(x.number for x in found) == [1, 2]


async def test_similar_candidates_treat_query_syntax_as_plain_text(store: Store) -> None:
    await ask(store, "What does NEAR mean in a contract?")
    stems = ['near"', "*", "or", ":", "'"]
    found = await store.similar_candidates(SLACK, stems, channel_id="C1", limit=10)
    assert [x.number for x in found] in ([1], [])


async def test_known_tags_start_with_the_prefix_most_used_first(store: Store) -> None:
    await ask(store, tags=("ml",))
    await ask(store, tags=("mobile", "ml"))
    await ask(store, tags=("management",))
    await ask(store, tags=("salary",))
    await ask(store, tags=("mlops",), ws=DISCORD)
    assert list(await store.known_tags(SLACK, prefix="m", limit=10)) == [
        "ml", "management", "mobile",
    ]  # fmt: skip


async def test_personal_data_holds_a_persons_questions_answers_and_votes(store: Store) -> None:
    await ask(store, "mine", asker="U_ME", anonymous=True)
    await ask(store, "theirs", asker="U_OTHER")
    await answer(store, 2, "my answer", author="U_ME")
    await answer(store, 1, "their answer", author="U_OTHER")
    await vote(store, a(2), "U_ME")
    data = await store.personal_data(SLACK, "U_ME")
    assert [x.text for x in data.questions] == ["mine"]
    assert [x.text for x in data.answers] == ["my answer"]
    assert [(v.post, v.weight) for v in data.votes] == [("A2", 1)]


async def test_forgetting_a_person_removes_their_votes_and_anonymises_their_posts(
    store: Store,
) -> None:
    await ask(store, "mine", asker="U_ME")
    await ask(store, "theirs", asker="U_OTHER")
    await answer(store, 2, "my answer", author="U_ME")
    await answer(store, 1, "their answer", author="U_OTHER")
    await vote(store, a(2), "U_ME")
    await vote(store, q(2), "U_ME", "👎")
    await vote(store, a(1), "U_OTHER")
    counts = await store.forget_person(
        SLACK, "U_ME", replacement_id=FORGOTTEN_ID, replacement_name="Anonymous"
    )
    assert counts == (2, 2)
    assert await store.personal_data(SLACK, "U_ME") == await store.personal_data(SLACK, "U_NOBODY")
    rows = await raw_fetch(store, "SELECT author_id, author_name FROM posts ORDER BY id")
    assert "U_ME" not in str(rows) and "name-U_ME" not in str(rows)
    theirs = await store.get_post(SLACK, a(2))
    mine = await store.get_post(SLACK, a(1))
    assert theirs is not None and (theirs.ups, theirs.downs) == (0, 0)
    assert mine is not None and mine.text == "my answer" and mine.ups == 1


# Concurrent writes (batched into shared transactions by the stores) ---------------------------


async def test_concurrent_votes_removals_and_redeliveries_leave_exact_counts(store: Store) -> None:
    await ask(store)
    for _ in range(3):
        await answer(store, 1)
    calls = []
    for i in range(90):
        post, emoji = a(1 + i % 3), ("👍" if i % 4 else "👎")
        calls.append(vote(store, post, f"U{i}", emoji))
        calls.append(vote(store, post, f"U{i}", emoji))  # the same event redelivered
        if i % 5 == 0:
            calls.append(vote(store, post, f"U{i}", "⬆"))  # a second up by the same person
    await asyncio.gather(*calls)
    await asyncio.gather(*(unvote(store, a(1 + i % 3), f"U{i}") for i in range(0, 90, 3)))
    expected: dict[int, tuple[int, int]] = {}
    for i in range(90):
        net = (1 if i % 4 else -1) + (1 if i % 5 == 0 else 0) - (1 if i % 3 == 0 and i % 4 else 0)
        ups, downs = expected.get(1 + i % 3, (0, 0))
        expected[1 + i % 3] = (ups + (net > 0), downs + (net < 0))
    for number, (ups, downs) in expected.items():
        found = await store.get_post(SLACK, a(number))
        assert found is not None and (found.ups, found.downs) == (ups, downs)
    assert await store.recount() == 0


async def test_a_vote_the_database_refuses_fails_alone_among_concurrent_votes(
    store: Store,
) -> None:
    await ask(store)
    await answer(store, 1)

    async def bad() -> None:  # weight 2 breaks the votes table's CHECK constraint
        await store.add_vote(SLACK, a(1), voter_id="U_BAD", emoji="👍", weight=2, at=NOW)

    good = [vote(store, a(1), f"U{i}") for i in range(20)]
    results = await asyncio.gather(*good[:10], bad(), *good[10:], return_exceptions=True)
    assert isinstance(results[10], StoreUnavailable)
    assert all(not isinstance(r, BaseException) and r.changed for r in results[:10] + results[11:])
    found = await store.get_post(SLACK, a(1))
    assert found is not None and (found.ups, found.downs) == (20, 0)
    assert await raw_fetch(store, "SELECT COUNT(*) FROM votes") == [(20,)]


async def test_concurrent_answers_get_distinct_numbers_and_a_redelivery_one_answer(
    store: Store,
) -> None:
    await ask(store)
    messages = [MessageRef("C1", f"200.{i}") for i in range(30)]
    made = await asyncio.gather(*(answer(store, 1, message=m) for m in messages + messages[:5]))
    assert sorted({found.number for found in made}) == list(range(1, 31))
    assert [found.number for found in made[30:]] == [found.number for found in made[:5]]


async def test_unanswered_in_one_channel_leaves_out_the_others(store: Store) -> None:
    await ask(store, "elsewhere", channel="C2")
    await ask(store, "here", channel="C1")
    found = await store.unanswered(SLACK, since=None, channel_id="C1", limit=1, only_channel=True)
    assert [x.text for x in found] == ["here"]
