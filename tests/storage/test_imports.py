"""Import of a community's history, on every store: threads keep their author, text and time,
are numbered after what exists, written once, and never bring a forgotten person back."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import MessageRef, Question
from bot.ports import ImportedPost, ImportedThread, Store, VoteRow
from bot.replies import FORGOTTEN_ID, FORGOTTEN_NAME
from tests.storage.builders import DISCORD, NOW, SLACK, a, ask, q

THEN = NOW - timedelta(days=400)


def post(ts: str, author: str, text: str, *votes: VoteRow) -> ImportedPost:
    return ImportedPost(MessageRef("C1", ts), author, f"name-{author}", text, THEN, votes)


def thread(ts: str, *answers: ImportedPost, accepted: int | None = None) -> ImportedThread:
    return ImportedThread(
        channel_id="C1", thread_id=ts, thread_key=f"C1/{ts}",
        question=post(ts, "U_ASK", f"Question {ts}?", VoteRow("U_V1", "👍", 1)),
        tags=("career",), answers=answers, accepted=accepted,
    )  # fmt: skip


async def test_an_imported_thread_keeps_its_author_text_time_votes_and_acceptance(
    store: Store,
) -> None:
    reply = post("2.0", "U_ANS", "Anchor high", VoteRow("U_V1", "👍", 1), VoteRow("U_V2", "👍", 1))

    written = await store.import_threads(SLACK, [thread("1.0", reply, accepted=0)], at=NOW)

    question, answer = await store.get_post(SLACK, q(1)), await store.get_post(SLACK, a(1))
    assert (written.questions, written.answers, written.votes) == (1, 1, 3)
    assert isinstance(question, Question) and question.accepted_answer == 1
    assert (question.asker_name, question.created_at, question.tags) == (
        "name-U_ASK", THEN, ("career",),
    )  # fmt: skip
    assert question.thread_key == "C1/1.0" and question.ups == 1
    assert answer is not None and (answer.text, answer.ups, answer.created_at) == (
        "Anchor high", 2, THEN,
    )  # fmt: skip


async def test_imported_questions_are_numbered_after_the_existing_ones_in_order(
    store: Store,
) -> None:
    await ask(store, "Asked live?")

    await store.import_threads(SLACK, [thread("1.0"), thread("2.0")], at=NOW)

    shown = [await store.get_post(SLACK, q(n)) for n in (2, 3)]
    assert [p.text for p in shown if p is not None] == ["Question 1.0?", "Question 2.0?"]


async def test_a_thread_imported_twice_is_written_once(store: Store) -> None:
    await store.import_threads(SLACK, [thread("1.0", post("2.0", "U_ANS", "Yes"))], at=NOW)

    again = await store.import_threads(SLACK, [thread("1.0", post("2.0", "U_ANS", "Yes"))], at=NOW)

    assert (again.questions, again.answers, again.votes) == (0, 0, 0)
    assert await store.get_post(SLACK, q(2)) is None
    assert await store.imported_threads(SLACK, "C1") == {"1.0"}


async def test_a_checkpoint_belongs_to_its_workspace(store: Store) -> None:
    await store.import_threads(SLACK, [thread("1.0")], at=NOW)

    assert await store.imported_threads(DISCORD, "C1") == set()


async def test_a_forgotten_person_is_anonymous_and_their_reactions_do_not_count(
    store: Store,
) -> None:
    await store.forget_person(
        SLACK, "U_V1", replacement_id=FORGOTTEN_ID, replacement_name=FORGOTTEN_NAME
    )
    reply = post("2.0", "U_V1", "From the forgotten", VoteRow("U_V2", "👍", 1))

    written = await store.import_threads(SLACK, [thread("1.0", reply)], at=NOW)

    question, answer = await store.get_post(SLACK, q(1)), await store.get_post(SLACK, a(1))
    assert written.votes == 1 and question is not None and question.ups == 0
    assert answer is not None and (answer.author_name, answer.ups) == (FORGOTTEN_NAME, 1)
