"""Catch-up after downtime: recent questions end up as the platform shows them now."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from bot.domain import Answer, MessageRef, Post, Question, TopQuery, Window
from bot.reconcile import Reconciler, SeenReaction, SeenReply
from tests.conftest import CHANNEL, TEAM, Board


@dataclass
class FakeView:
    """What the platform shows now: reactions per message, replies per thread."""

    reactions_on: dict[MessageRef, list[SeenReaction]] = field(default_factory=dict)
    threads: dict[str, list[SeenReply]] = field(default_factory=dict)
    broken: set[MessageRef] = field(default_factory=set)

    async def reactions(self, message: MessageRef) -> Sequence[SeenReaction] | None:
        if message in self.broken:
            raise TimeoutError("the platform did not answer")
        return self.reactions_on.get(message)

    async def replies(self, question: Question) -> Sequence[SeenReply] | None:
        assert question.thread_key is not None
        return self.threads.get(question.thread_key)


@pytest.fixture
def view() -> FakeView:
    return FakeView()


async def posted(board: Board, view: FakeView, asker: str = "alice") -> Question:
    """A question as a platform adapter leaves it: linked to its message and thread."""
    question = await board.ask(asker)
    ts = f"{question.number}00.0"
    message = MessageRef(CHANNEL, ts)
    await board.service.link_question(question, message=message, thread_key=f"{CHANNEL}/{ts}")
    view.reactions_on[message] = []
    view.threads[f"{CHANNEL}/{ts}"] = []
    found = await board.service.get(TEAM, question.post_id)
    assert isinstance(found, Question)
    return found


async def replied(board: Board, view: FakeView, question: Question, author: str) -> Answer:
    """An answer seen live, as a thread reply; the view shows it too."""
    assert question.thread_key is not None and question.message is not None
    message = MessageRef(
        CHANNEL, f"{question.number}00.{len(view.threads[question.thread_key]) + 1}"
    )
    reply = SeenReply(message, board.user(author), "Know your market rate.")
    view.threads[question.thread_key].append(reply)
    view.reactions_on[message] = []
    answer = await board.service.answer_in_thread(
        author=reply.author, thread_key=question.thread_key, text=reply.text, message=message
    )
    assert answer is not None
    return answer


def catch_up(board: Board, view: FakeView, days: int = 14) -> Reconciler:
    return Reconciler(service=board.service, view=view, days=days, clock=board.clock)


async def score(board: Board, post: Post) -> tuple[int, int]:
    found = await board.service.get(TEAM, post.post_id)
    return found.ups, found.downs


async def test_a_vote_cast_while_the_bot_was_down_counts_after_catch_up(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "+1"), SeenReaction("dave", "👎")]
    await catch_up(board, view).run(TEAM)
    assert await score(board, answer) == (1, 1)


async def test_a_vote_removed_while_the_bot_was_down_stops_counting(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    await board.votes(answer, "👍", "carol", "dave")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("dave", "thumbsup")]
    await catch_up(board, view).run(TEAM)
    assert await score(board, answer) == (1, 0)


async def test_reactions_of_bots_of_the_author_and_other_emoji_do_not_count(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    assert question.message is not None
    view.reactions_on[question.message] = [
        SeenReaction("alice", "👍"), SeenReaction("B1", "👍", is_bot=True),
        SeenReaction("carol", "tada"), SeenReaction("erin", "arrow_up"),
    ]  # fmt: skip
    await catch_up(board, view).run(TEAM)
    assert await score(board, question) == (1, 0)


async def test_a_reply_posted_while_the_bot_was_down_becomes_an_answer(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    assert question.thread_key is not None
    late = SeenReply(MessageRef(CHANNEL, "100.7"), board.user("bob"), "Ask for the range first.")
    view.threads[question.thread_key].append(late)
    view.reactions_on[late.message] = [SeenReaction("carol", "👍")]
    done = await catch_up(board, view).run(TEAM)
    answer = await board.service.get(TEAM, "A1")
    assert (answer.text, answer.ups, done.answers_added) == ("Ask for the range first.", 1, 1)


async def test_the_bots_own_thread_messages_do_not_become_answers(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    assert question.thread_key is not None
    notice = SeenReply(MessageRef(CHANNEL, "100.9"), board.user("qabot", is_bot=True), "Hot!")
    view.threads[question.thread_key].append(notice)
    done = await catch_up(board, view).run(TEAM)
    assert done.answers_added == 0
    assert await board.service.store.answers_to(TEAM, question.number) == []


async def test_an_answer_deleted_while_the_bot_was_down_is_hidden(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    kept = await replied(board, view, question, "bob")
    gone = await replied(board, view, question, "carol")
    assert question.thread_key is not None
    view.threads[question.thread_key] = [r for r in view.threads[question.thread_key]
                                         if r.message != gone.message]  # fmt: skip
    await catch_up(board, view).run(TEAM)
    answers = await board.service.store.answers_to(TEAM, question.number)
    assert [a.number for a in answers] == [kept.number]


async def test_a_question_deleted_while_the_bot_was_down_is_hidden(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    assert question.message is not None
    del view.reactions_on[question.message]
    await catch_up(board, view).run(TEAM)
    assert (
        await board.service.top(
            workspace=TEAM, query=TopQuery(channel_id=CHANNEL, window=Window.ALL)
        )
        == []
    )
    assert await board.service.store.recent_questions(TEAM, since=board.clock.now, limit=5) == []


async def test_questions_older_than_the_window_are_left_alone(board: Board, view: FakeView) -> None:
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "👍")]
    board.clock.advance(days=15)
    done = await catch_up(board, view, days=14).run(TEAM)
    assert (done.questions, await score(board, answer)) == (0, (0, 0))


async def test_one_failing_question_does_not_stop_the_others(
    board: Board, view: FakeView, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "qabot.reconcile")
    first = await posted(board, view)
    second = await posted(board, view, asker="bob")
    assert first.message is not None and second.message is not None
    view.broken.add(second.message)
    view.reactions_on[first.message] = [SeenReaction("carol", "👍")]
    done = await catch_up(board, view).run(TEAM)
    assert (done.failures, await score(board, first)) == (1, (1, 0))
    assert "catch-up of Q2 failed" in caplog.text
    assert "catch-up in slack/T1 done: 2 questions" in caplog.text


async def test_catching_up_twice_changes_nothing_the_second_time(
    board: Board, view: FakeView
) -> None:
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "👍")]
    await catch_up(board, view).run(TEAM)
    before = board.snapshot()
    again = await catch_up(board, view).run(TEAM)
    assert (again.posts_recounted, again.answers_added, board.snapshot()) == (0, 0, before)
