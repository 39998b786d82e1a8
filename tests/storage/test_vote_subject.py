"""What a reaction reads about its post, on both stores: the post, its author and (answers) its
question, by public id or by platform message; nothing for a removed, unknown or foreign post."""

from __future__ import annotations

from bot.domain import MessageRef, VoteSubject, WorkspaceRef
from bot.ports import Store
from tests.storage.builders import SLACK, a, answer, ask, q


async def test_a_reaction_finds_the_post_its_author_and_its_question(store: Store) -> None:
    await ask(store, asker="U_ASK")
    await answer(store, 1, author="U_ANS", message=MessageRef("C1", "400.1"))
    await store.link_question(SLACK, 1, message=MessageRef("C1", "300.1"), thread_key="C1/300.1")

    assert await store.vote_subject(SLACK, q(1)) == VoteSubject(SLACK, q(1), "U_ASK", None)
    expected = VoteSubject(SLACK, a(1), "U_ANS", 1)
    assert await store.vote_subject(SLACK, a(1)) == expected
    assert await store.vote_subject(SLACK, MessageRef("C1", "400.1")) == expected
    question_message = MessageRef("C1", "300.1")
    assert await store.vote_subject(SLACK, question_message) == VoteSubject(
        SLACK, q(1), "U_ASK", None
    )


async def test_no_subject_for_a_removed_unknown_or_foreign_post(store: Store) -> None:
    await ask(store)
    await answer(store, 1, message=MessageRef("C1", "400.1"))
    await answer(store, 1)
    await store.remove_post(SLACK, a(1))

    assert await store.vote_subject(SLACK, a(1)) is None
    assert await store.vote_subject(SLACK, MessageRef("C1", "400.1")) is None
    assert await store.vote_subject(SLACK, a(9)) is None
    assert await store.vote_subject(SLACK, MessageRef("C1", "999.9")) is None
    assert await store.vote_subject(WorkspaceRef("slack", "T_OTHER"), a(2)) is None
    assert await store.vote_subject(SLACK, a(2)) is not None
