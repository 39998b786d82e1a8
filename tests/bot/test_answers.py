"""Answering a question: by id, or as a reply in the question's thread."""

from __future__ import annotations

import pytest

from bot.domain import Answer, MessageRef
from bot.errors import InvalidInput, NotFound
from tests.conftest import MODERATOR, Board


async def test_answers_are_numbered_a1_a2_across_questions(board: Board) -> None:
    first = await board.answer("bob", await board.ask("alice", "First?"))
    second = await board.answer("carol", await board.ask("alice", "Second?"))
    assert (str(first.post_id), str(second.post_id)) == ("A1", "A2")


async def test_an_answer_belongs_to_the_question_it_names(board: Board) -> None:
    question = await board.ask()
    answer = await board.answer("bob", question, "Ask for the range first.")
    assert answer.question_number == question.number
    assert answer.text == "Ask for the range first."


async def test_a_reply_in_a_question_thread_becomes_an_answer(board: Board) -> None:
    question = await board.ask()
    await board.service.link_question(
        question, message=MessageRef("C1", "100.1"), thread_key="100.1"
    )
    answer = await board.service.answer_in_thread(
        author=board.user("bob"),
        thread_key="100.1",
        text="Anchor high.",
        message=MessageRef("C1", "100.2"),
    )
    assert answer is not None and answer.question_number == question.number


async def test_the_same_thread_reply_delivered_twice_is_one_answer(board: Board) -> None:
    question = await board.ask()
    await board.service.link_question(
        question, message=MessageRef("C1", "100.1"), thread_key="100.1"
    )

    async def deliver() -> Answer | None:
        return await board.service.answer_in_thread(
            author=board.user("bob"),
            thread_key="100.1",
            text="Anchor high.",
            message=MessageRef("C1", "100.2"),
        )

    first, again = await deliver(), await deliver()
    assert first == again
    assert len([row for row in board.snapshot()["posts"] if row[2] == "A"]) == 1


async def test_a_reply_in_a_thread_that_is_no_question_is_ignored(board: Board) -> None:
    await board.ask()
    before = board.snapshot()
    answer = await board.service.answer_in_thread(
        author=board.user("bob"), thread_key="999.9", text="Hi", message=MessageRef("C1", "999.9")
    )
    assert answer is None and board.snapshot() == before


async def test_a_bot_reply_in_a_question_thread_is_not_an_answer(board: Board) -> None:
    question = await board.ask()
    await board.service.link_question(
        question, message=MessageRef("C1", "100.1"), thread_key="100.1"
    )
    before = board.snapshot()
    answer = await board.service.answer_in_thread(
        author=board.user("helperbot", is_bot=True),
        thread_key="100.1",
        text="Thanks for asking!",
        message=MessageRef("C1", "100.3"),
    )
    assert answer is None and board.snapshot() == before


async def test_editing_an_answer_message_updates_its_text(board: Board) -> None:
    question = await board.ask()
    await board.service.answer(
        author=board.user("bob"), question="Q1", text="Typo", message=MessageRef("C1", "7.7")
    )
    await board.service.edit_message(question.workspace, MessageRef("C1", "7.7"), "Fixed")
    assert (await board.service.get(question.workspace, "A1")).text == "Fixed"


async def test_deleting_an_answer_message_hides_the_answer(board: Board) -> None:
    question = await board.ask()
    await board.service.answer(
        author=board.user("bob"), question="Q1", text="Oops", message=MessageRef("C1", "7.7")
    )
    await board.service.delete_message(question.workspace, MessageRef("C1", "7.7"))
    with pytest.raises(NotFound):
        await board.service.get(question.workspace, "A1")


BAD_ANSWERS = {
    "empty": ("Q1", ""),
    "whitespace only": ("Q1", "   \n\t "),
    "over the limit": ("Q1", "y" * 4001),
    "a NUL byte": ("Q1", "fine\x00"),
    "an unknown question": ("Q9", "Hello"),
    "an answer id for a question": ("A1", "Hello"),
    "not an id at all": ("salary", "Hello"),
}


@pytest.mark.parametrize(("target", "text"), BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
async def test_a_bad_answer_gets_one_sentence_and_stores_nothing(
    board: Board, target: str, text: str
) -> None:
    question = await board.ask()
    await board.answer("bob", question)
    before = board.snapshot()
    with pytest.raises((InvalidInput, NotFound)) as refused:
        await board.service.answer(author=board.user("carol"), question=target, text=text)
    message = str(refused.value)
    assert "\n" not in message and message.endswith(".")
    assert board.snapshot() == before


async def test_a_removed_question_takes_no_more_answers(board: Board) -> None:
    question = await board.ask()
    await board.service.remove(actor=board.user(MODERATOR), post=question.post_id)
    before = board.snapshot()
    with pytest.raises(NotFound, match=r"There is no Q1 here\."):
        await board.answer("bob", question)
    assert board.snapshot() == before
