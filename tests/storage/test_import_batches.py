"""Import batches on every store: a batch of threads is written as each thread alone would be,
whatever else the batch holds."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import MessageRef, Question
from bot.ports import ImportedPost, ImportedThread, Store, VoteRow
from tests.storage.builders import NOW, SLACK, a, answer, ask, q

THEN = NOW - timedelta(days=400)
UP = VoteRow("U_V1", "👍", 1)


def post(channel: str, ts: str, text: str, *votes: VoteRow, by: str = "U_ANS") -> ImportedPost:
    return ImportedPost(MessageRef(channel, ts), by, f"name-{by}", text, THEN, votes)


def thread(
    channel: str, ts: str, *answers: ImportedPost, accepted: int | None = None
) -> ImportedThread:
    return ImportedThread(
        channel_id=channel, thread_id=ts, thread_key=f"{channel}/{ts}",
        question=post(channel, ts, f"Question {channel} {ts}?", UP, by="U_ASK"),
        tags=(), answers=answers, accepted=accepted,
    )  # fmt: skip


async def test_a_reply_already_answered_live_is_left_alone_and_the_rest_is_written(
    store: Store,
) -> None:
    await ask(store, "Asked live?")
    await answer(store, 1, "Said live", message=MessageRef("C1", "2.0"))
    first = thread(
        "C1", "1.0", post("C1", "2.0", "Said live, imported", UP), post("C1", "3.0", "Later", UP),
        accepted=0,
    )  # fmt: skip

    written = await store.import_threads(
        SLACK, [first, thread("C1", "4.0", post("C1", "5.0", "Other", UP))], at=NOW
    )

    live, imported = await store.get_post(SLACK, a(1)), await store.get_post(SLACK, q(2))
    shown = [await store.get_post(SLACK, a(n)) for n in (2, 3, 4)]  # a number may be skipped
    assert (written.questions, written.answers, written.votes) == (2, 2, 4)
    assert live is not None and (live.text, live.ups) == ("Said live", 0)
    assert isinstance(imported, Question) and imported.accepted_answer is None
    assert [(p.text, p.ups) for p in shown if p is not None] == [("Later", 1), ("Other", 1)]


async def test_one_message_id_in_two_channels_is_two_threads(store: Store) -> None:
    both = [
        thread(channel, "1.0", post(channel, "2.0", f"Reply in {channel}", UP), accepted=0)
        for channel in ("C1", "C2")
    ]

    written = await store.import_threads(SLACK, both, at=NOW)

    questions = [await store.get_post(SLACK, q(n)) for n in (1, 2)]
    answers = [await store.get_post(SLACK, a(n)) for n in (1, 2)]
    assert (written.questions, written.answers, written.votes) == (2, 2, 4)
    assert [p.accepted_answer for p in questions if isinstance(p, Question)] == [1, 2]
    assert [(p.text, p.ups) for p in answers if p is not None] == [
        ("Reply in C1", 1), ("Reply in C2", 1),
    ]  # fmt: skip
    assert await store.imported_threads(SLACK, "C2") == {"1.0"}
