"""Abuse limits: per-person caps on /ask and votes, and the vote cooldown, on the test clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Answer, ChannelRef, PostId, PostKind, UserRef, WorkspaceRef
from bot.errors import InvalidInput, NotFound, RateLimited
from bot.limits import Limits, SlidingWindow, VoteLog
from bot.service import QAService
from bot.settings import LimitsSettings, Settings
from tests.conftest import CHANNEL, TEAM, Board


def tight(settings: Settings, **limits: int) -> Settings:
    return replace(settings, limits=replace(settings.limits, **limits))


@pytest.fixture
async def answer(board: Board) -> Answer:
    return await board.answer("bob", await board.ask("alice"))


async def test_asking_more_than_the_hourly_limit_is_refused_saying_when_to_retry(
    board: Board,
) -> None:
    for _ in range(LimitsSettings().asks_per_hour):
        await board.ask("alice")
    before = board.snapshot()
    with pytest.raises(RateLimited, match=r"10 questions in the last hour.*wait 60 minutes"):
        await board.ask("alice")
    assert board.snapshot() == before


async def test_the_ask_limit_is_per_person(board: Board) -> None:
    for _ in range(LimitsSettings().asks_per_hour):
        await board.ask("alice")
    assert (await board.ask("bob")).number == 11


async def test_asking_works_again_once_the_hour_has_passed(board: Board) -> None:
    for _ in range(LimitsSettings().asks_per_hour):
        await board.ask("alice")
    board.clock.advance(minutes=61)
    assert (await board.ask("alice")).number == 11


async def test_a_refused_question_does_not_use_up_the_allowance(board: Board) -> None:
    for _ in range(20):
        with pytest.raises(InvalidInput):
            await board.ask("alice", "   ")
    assert (await board.ask("alice")).number == 1


async def test_voting_more_than_the_per_minute_limit_is_refused(board: Board) -> None:
    questions = [await board.ask("alice") for _ in range(8)]
    answers = [await board.answer(f"author{i}", q) for i, q in enumerate(questions) for _ in "abcd"]
    for target in answers[:30]:
        await board.votes(target, "👍", "carol")
    with pytest.raises(RateLimited, match="30 times in the last minute"):
        await board.votes(answers[30], "👍", "carol")
    board.clock.advance(seconds=61)
    await board.votes(answers[30], "👍", "carol")
    post = await board.service.get(answers[30].workspace, answers[30].post_id)
    assert post.ups == 1


async def test_an_add_remove_storm_stops_moving_the_count(board: Board, answer: Answer) -> None:
    carol = board.user("carol")
    for _ in range(2):
        await board.service.react(voter=carol, target=answer.post_id, emoji="👍")
        await board.service.unreact(voter=carol, target=answer.post_id, emoji="👍")
    with pytest.raises(RateLimited, match="changed your vote on A1 several times"):
        await board.service.react(voter=carol, target=answer.post_id, emoji="👍")
    post = await board.service.get(answer.workspace, answer.post_id)
    assert (post.ups, post.downs) == (0, 0)


async def test_a_vote_counts_again_after_the_cooldown(board: Board, answer: Answer) -> None:
    carol = board.user("carol")
    for _ in range(2):
        await board.service.react(voter=carol, target=answer.post_id, emoji="👍")
        await board.service.unreact(voter=carol, target=answer.post_id, emoji="👍")
    board.clock.advance(seconds=60)
    outcome = await board.service.react(voter=carol, target=answer.post_id, emoji="👍")
    assert outcome.ups == 1


async def test_repeated_deliveries_of_one_reaction_do_not_count_as_churn(
    board: Board, answer: Answer
) -> None:
    carol = board.user("carol")
    for _ in range(10):
        await board.service.react(voter=carol, target=answer.post_id, emoji="👍")
    outcome = await board.service.unreact(voter=carol, target=answer.post_id, emoji="👍")
    assert outcome.ups == 0


async def test_a_limit_of_zero_switches_the_limit_off(board: Board, settings: Settings) -> None:
    service = QAService(
        store=board.service.store, settings=tight(settings, asks_per_hour=0), clock=board.clock
    )
    for _ in range(15):
        await service.ask(
            asker=board.user("alice"), channel=ChannelRef(TEAM, CHANNEL), text="Again?"
        )
    assert (await board.service.get(TEAM, "Q15")).number == 15


async def test_a_withdrawn_question_shows_nowhere(board: Board) -> None:
    question = await board.ask("alice", "Posting this failed")
    await board.service.withdraw_question(question)
    with pytest.raises(NotFound):
        await board.service.get(question.workspace, PostId(PostKind.QUESTION, 1))
    assert await board.service.search(workspace=question.workspace, text="failed") == []


async def test_simultaneous_questions_cannot_all_slip_past_the_limit(board: Board) -> None:
    results = await asyncio.gather(
        *(board.ask("alice", f"Question {i}?") for i in range(15)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert (len(results) - len(refused), len(refused)) == (10, 5)
    assert len(board.snapshot()["posts"]) == 10


async def test_a_simultaneous_vote_storm_is_stopped_too(board: Board, answer: Answer) -> None:
    carol, service = board.user("carol"), board.service
    changes = [("👍", service.react), ("⬆️", service.react), ("👎", service.react),
               ("⬇️", service.react), ("👍", service.unreact), ("⬆️", service.unreact)]  # fmt: skip
    results = await asyncio.gather(
        *(change(voter=carol, target=answer.post_id, emoji=emoji) for emoji, change in changes),
        return_exceptions=True,
    )
    assert sum(isinstance(r, RateLimited) for r in results) == 2


def test_a_window_forgets_people_idle_for_a_whole_window() -> None:
    window = SlidingWindow(limit=3, window=timedelta(minutes=1))
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    for i in range(1000):  # each votes once and never again
        window.record(("slack", "T1", f"U{i}"), start)
    assert len(window) == 1000

    window.record(("slack", "T1", "ULATE"), start + 120)

    assert len(window) == 1


def test_giving_back_a_persons_only_place_forgets_them() -> None:
    window = SlidingWindow(limit=3, window=timedelta(minutes=1))
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    window.record("someone", now)
    window.forget("someone", now)
    assert len(window) == 0 and window.wait_for("someone", now) is None


def test_a_one_place_window_says_how_long_to_wait_and_forgets_once_it_passed() -> None:
    window = SlidingWindow(limit=1, window=timedelta(minutes=1))
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    window.record("someone", start)
    assert window.wait_for("someone", start + 10) == timedelta(seconds=50)
    assert window.wait_for("someone", start + 60) is None
    assert len(window) == 0


def test_giving_back_one_of_two_places_keeps_the_other() -> None:
    window = SlidingWindow(limit=2, window=timedelta(minutes=1))
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    window.record("someone", start)
    window.record("someone", start + 1)
    assert window.wait_for("someone", start + 2) == timedelta(seconds=58)
    window.forget("someone", start)
    assert window.wait_for("someone", start + 2) is None
    window.record("someone", start + 3)
    assert window.wait_for("someone", start + 4) == timedelta(seconds=57)
    window.forget("someone", start + 1)
    window.forget("someone", start + 3)
    assert len(window) == 0


def test_a_workspace_whose_people_stopped_voting_is_forgotten() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    limits = Limits(LimitsSettings(), lambda: now[0])
    quiet, busy = WorkspaceRef("slack", "TQUIET"), WorkspaceRef("slack", "TBUSY")
    for i in range(100):
        with limits.voting(UserRef(quiet, f"U{i}"), PostId(PostKind.ANSWER, 1), action="+👍") as s:
            s.keep = True
    assert len(limits) == 1

    now[0] += timedelta(minutes=2)
    with limits.voting(UserRef(busy, "U1"), PostId(PostKind.ANSWER, 1), action="+👍") as slot:
        slot.keep = True

    assert len(limits) == 1  # only the busy one


def test_the_same_person_and_post_in_two_workspaces_are_two_voters() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    limits = Limits(LimitsSettings(vote_changes_per_post=1), lambda: now)
    post = PostId(PostKind.ANSWER, 1)
    for workspace in (WorkspaceRef("slack", "T1"), WorkspaceRef("discord", "T1")):
        with limits.voting(UserRef(workspace, "U1"), post, action="+👍") as slot:
            slot.keep = True
    with (
        pytest.raises(RateLimited, match="changed your vote on A1"),
        limits.voting(UserRef(WorkspaceRef("slack", "T1"), "U1"), post, action="-👍"),
    ):
        pass


def _vote(limits: Limits, user: UserRef, post: PostId, action: str = "+👍") -> None:
    with limits.voting(user, post, action=action) as slot:
        slot.keep = True


def test_the_cooldown_counts_changes_on_one_post_only() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    limits = Limits(LimitsSettings(vote_changes_per_post=2), lambda: now)
    carol = UserRef(WorkspaceRef("slack", "T1"), "UCAROL")
    answer, question = PostId(PostKind.ANSWER, 1), PostId(PostKind.QUESTION, 1)
    _vote(limits, carol, answer)
    _vote(limits, carol, answer, "-👍")
    _vote(limits, carol, question)  # another post with the same number
    _vote(limits, carol, PostId(PostKind.ANSWER, 2))
    with pytest.raises(RateLimited, match="changed your vote on A1"):
        _vote(limits, carol, answer)


def test_a_cooldown_longer_than_a_minute_outlives_the_minute_limit() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    settings = LimitsSettings(
        votes_per_minute=3, vote_changes_per_post=2, vote_cooldown_seconds=300
    )
    limits = Limits(settings, lambda: now[0])
    carol = UserRef(WorkspaceRef("slack", "T1"), "UCAROL")
    answer = PostId(PostKind.ANSWER, 1)
    _vote(limits, carol, answer)
    _vote(limits, carol, answer, "-👍")
    _vote(limits, carol, PostId(PostKind.ANSWER, 2))
    with pytest.raises(RateLimited, match=r"voted 3 times in the last minute.*wait 60 seconds"):
        _vote(limits, carol, PostId(PostKind.ANSWER, 3))

    now[0] += timedelta(minutes=2)  # the minute has passed, the cooldown has not

    _vote(limits, carol, PostId(PostKind.ANSWER, 3))
    with pytest.raises(RateLimited, match=r"changed your vote on A1.*Try again in 3 minutes"):
        _vote(limits, carol, answer)
    now[0] += timedelta(minutes=3)
    _vote(limits, carol, answer)


def test_the_vote_log_forgets_people_idle_for_a_whole_minute() -> None:
    log = VoteLog(per_minute=30, per_post=4, cooldown=timedelta(seconds=60))
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    for i in range(1000):  # each votes once and never again
        log.record(f"U{i}", PostId(PostKind.ANSWER, i), start)
    assert len(log) == 1000

    log.record("ULATE", PostId(PostKind.ANSWER, 1), start + 61)

    assert len(log) == 1


def test_giving_back_a_vote_change_keeps_the_persons_others() -> None:
    log = VoteLog(per_minute=2, per_post=4, cooldown=timedelta(seconds=60))
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    first = log.record("someone", PostId(PostKind.ANSWER, 1), start)
    second = log.record("someone", PostId(PostKind.ANSWER, 2), start + 1)
    assert log.waits("someone", PostId(PostKind.ANSWER, 3), start + 2)[1] == timedelta(seconds=58)
    log.forget("someone", first)
    assert log.waits("someone", PostId(PostKind.ANSWER, 3), start + 2)[1] is None
    log.forget("someone", second)
    assert len(log) == 0
