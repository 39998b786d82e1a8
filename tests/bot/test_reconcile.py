"""Catch-up after downtime: recent questions end up as the platform shows them now."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from bot.domain import Answer, MessageRef, Post, Question, TopQuery, UserRef, Window
from bot.reconcile import Reconciler, SeenEmoji, SeenMessage, SeenReaction, SeenThread
from tests.conftest import CHANNEL, TEAM, Board


@dataclass(frozen=True)
class SeenReply:
    """A reply in a thread as the test sets it up; its reactions are those in `reactions_on`."""

    message: MessageRef
    author: UserRef
    text: str


@dataclass
class FakeView:
    """What the platform shows now: reactions per message, replies per thread. The listing
    names the reactors of an emoji only when `complete_listings` says so; else each emoji's
    reactors cost a read, counted in `reads`."""

    reactions_on: dict[MessageRef, list[SeenReaction]] = field(default_factory=dict)
    threads: dict[str, list[SeenReply]] = field(default_factory=dict)
    broken: set[MessageRef] = field(default_factory=set)
    complete_listings: bool = True
    reads: list[tuple[MessageRef, str]] = field(default_factory=list)

    def summary(self, message: MessageRef) -> tuple[SeenEmoji, ...]:
        by_emoji: dict[str, list[str]] = {}
        for reaction in self.reactions_on.get(message, []):
            by_emoji.setdefault(reaction.emoji, []).append(reaction.user_id)
        return tuple(
            SeenEmoji(emoji, len(users), tuple(users) if self.complete_listings else ())
            for emoji, users in by_emoji.items()
        )

    async def thread(self, question: Question) -> SeenThread | None:
        assert question.message is not None and question.thread_key is not None
        if question.message in self.broken:
            raise TimeoutError("the platform did not answer")
        if question.message not in self.reactions_on:
            return None
        replies = self.threads.get(question.thread_key)
        return SeenThread(
            self.summary(question.message),
            None if replies is None else tuple(
                SeenMessage(r.message, r.author, r.text, self.summary(r.message)) for r in replies
            ),
        )  # fmt: skip

    async def reactors(self, message: MessageRef, seen: SeenEmoji) -> Sequence[SeenReaction]:
        self.reads.append((message, seen.emoji))
        return [r for r in self.reactions_on.get(message, []) if r.emoji == seen.emoji]

    async def person(self, author: UserRef) -> UserRef:
        return author


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


async def test_with_nothing_changed_no_reactor_is_read(board: Board, view: FakeView) -> None:
    view.complete_listings = False  # as on Discord: listings carry counts, not people
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "👍"), SeenReaction("dave", "👎")]
    first = await catch_up(board, view).run(TEAM)
    view.reads.clear()
    again = await catch_up(board, view).run(TEAM)
    assert (first.reactor_reads, again.reactor_reads, view.reads) == (2, 0, [])


async def test_only_the_emoji_whose_count_changed_is_read(board: Board, view: FakeView) -> None:
    view.complete_listings = False
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "👍"), SeenReaction("dave", "👎")]
    await catch_up(board, view).run(TEAM)
    view.reads.clear()
    view.reactions_on[answer.message].append(SeenReaction("erin", "👍"))
    await catch_up(board, view).run(TEAM)
    assert (view.reads, await score(board, answer)) == ([(answer.message, "👍")], (2, 1))


async def test_an_emoji_gone_from_the_message_drops_its_votes_without_a_read(
    board: Board, view: FakeView
) -> None:
    view.complete_listings = False
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    await board.votes(answer, "👍", "carol")
    await catch_up(board, view).run(TEAM)
    assert (view.reads, await score(board, answer)) == ([], (0, 0))


class LiveDuringTheRead(FakeView):
    """A view whose listing is taken, then a live vote reaches qabot before catch-up writes."""

    def __init__(self, board: Board, live: list[tuple[str, str, str, bool]]) -> None:
        super().__init__()
        self.board = board
        self.live = live  # (post id, emoji, voter, added)

    async def thread(self, question: Question) -> SeenThread | None:
        listed = await super().thread(question)
        for post_id, emoji, voter, added in self.live:
            target = await self.board.service.get(TEAM, post_id)
            vote = self.board.service.react if added else self.board.service.unreact
            await vote(voter=self.board.user(voter), target=target.post_id, emoji=emoji)
        self.live = []
        return listed


async def test_a_vote_that_arrives_while_catch_up_reads_is_kept(board: Board) -> None:
    view = LiveDuringTheRead(board, [("A1", "👍", "erin", True), ("A1", "👍", "carol", False)])
    question = await posted(board, view)
    answer = await replied(board, view, question, "bob")
    await board.votes(answer, "👍", "carol")
    assert answer.message is not None
    view.reactions_on[answer.message] = [SeenReaction("carol", "👍"), SeenReaction("dave", "👍")]
    await catch_up(board, view).run(TEAM)
    # dave was missed while down (counts now); erin's live vote stays; carol's removal stands.
    voted = {
        who: [v.post for v in (await board.service.store.personal_data(TEAM, who)).votes]
        for who in ("carol", "dave", "erin")
    }
    assert voted == {"carol": [], "dave": ["A1"], "erin": ["A1"]}
    assert await board.service.store.recount() == 0
