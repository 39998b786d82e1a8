"""Similar questions, hot answers, the leaderboard and a person's own data, through the service."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.domain import ChannelRef, MessageRef, Window
from bot.replies import ForgetPrompt, Forgotten, HotAnswer, SimilarQuestions
from bot.service import QAService
from tests.bot.recording_poster import RecordingPoster
from tests.conftest import CHANNEL, TEAM, Board

NEGOTIATE = (
    "How do I negotiate a higher salary for a new job offer?",
    "What's the best way to negotiate salary when I get a job offer?",
    "Tips for negotiating my salary after receiving an offer?",
)
CAREER = (
    "Should I learn Rust or Go for backend work?",
    "How should I prepare for a salary review with my manager?",
    "Is a master's degree worth it for a data science career?",
    "How do I move from QA testing into software development?",
)


@pytest.fixture
def poster(service: QAService) -> RecordingPoster:
    recording = RecordingPoster()
    service.posters.register("slack", recording)
    return recording


async def _similar_to(board: Board, text: str) -> list[int]:
    asked = await board.ask("zoe", text)
    found = await board.service.similar_questions(asked)
    return [s.question.number for s in found.similar]


async def test_the_same_question_phrased_three_ways_finds_its_twins(board: Board) -> None:
    for text in (*CAREER, NEGOTIATE[0], NEGOTIATE[1]):
        await board.ask("alice", text)
    assert sorted(await _similar_to(board, NEGOTIATE[2])) == [5, 6]


async def test_each_phrasing_finds_the_earlier_ones(board: Board) -> None:
    await board.ask("alice", NEGOTIATE[0])
    await board.ask("alice", CAREER[0])
    assert await _similar_to(board, NEGOTIATE[1]) == [1]


async def test_an_unrelated_question_finds_nothing(board: Board) -> None:
    for text in NEGOTIATE:
        await board.ask("alice", text)
    assert await _similar_to(board, CAREER[0]) == []


async def test_a_question_sharing_one_word_is_not_similar(board: Board) -> None:
    for text in NEGOTIATE:
        await board.ask("alice", text)
    assert await _similar_to(board, CAREER[1]) == []  # "salary" alone


async def test_similar_questions_are_listed_in_the_new_questions_thread(
    board: Board, poster: RecordingPoster
) -> None:
    await board.ask("alice", NEGOTIATE[0])
    asked = await board.ask("bob", NEGOTIATE[1])
    message = MessageRef(CHANNEL, "200.1")
    await board.service.link_question(asked, message=message, thread_key="C1/200.1")
    [(question, notice)] = poster.notices
    assert isinstance(notice, SimilarQuestions) and question.message == message
    assert [s.question.number for s in notice.similar] == [1]


async def test_a_question_with_no_lookalike_gets_no_notice(
    board: Board, poster: RecordingPoster
) -> None:
    asked = await board.ask("bob", NEGOTIATE[1])
    await board.service.link_question(asked, message=MessageRef(CHANNEL, "1.1"))
    assert poster.notices == []


async def test_similar_questions_never_come_from_another_workspace(board: Board) -> None:
    from tests.conftest import OTHER_TEAM

    await board.ask("alice", NEGOTIATE[0], workspace=OTHER_TEAM)
    assert await _similar_to(board, NEGOTIATE[1]) == []


async def test_an_answer_reaching_the_hot_score_is_announced_once(
    board: Board, poster: RecordingPoster
) -> None:
    asked = await board.ask()
    answer = await board.answer("bob", asked)
    await board.votes(answer, "👍", "u1", "u2", "u3", "u4", "u5")
    await board.votes(answer, "👎", "u6")
    await board.votes(answer, "👍", "u7", "u8")
    [(_, notice)] = poster.notices
    assert isinstance(notice, HotAnswer) and notice.answer.number == answer.number
    assert (notice.answer.score, notice.threshold) == (5, 5)


async def test_a_hot_answer_falling_and_rising_again_is_not_announced_twice(
    board: Board, poster: RecordingPoster
) -> None:
    asked = await board.ask()
    answer = await board.answer("bob", asked)
    await board.votes(answer, "👍", "u1", "u2", "u3", "u4", "u5")
    await board.service.unreact(voter=board.user("u5"), target=answer.post_id, emoji="👍")
    await board.votes(answer, "👍", "u5")
    assert len(poster.notices) == 1


async def test_a_hot_answer_is_claimed_once_and_later_votes_write_no_claim(
    board: Board, poster: RecordingPoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = await board.ask()
    answer = await board.answer("bob", asked)
    store = board.service.store
    claims: list[str] = []
    claim = store.claim

    async def counted(*args: Any, **kwargs: Any) -> bool:
        claims.append(kwargs["period"])
        return await claim(*args, **kwargs)

    monkeypatch.setattr(store, "claim", counted)
    await board.votes(answer, "👍", *(f"u{i}" for i in range(1, 10)))

    assert claims == [str(answer.post_id)]
    assert len(poster.notices) == 1


async def test_votes_racing_past_the_hot_score_write_one_claim(
    board: Board, poster: RecordingPoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = await board.ask()
    answer = await board.answer("bob", asked)
    await board.votes(answer, "👍", *(f"u{i}" for i in range(1, 5)))
    store = board.service.store
    claims: list[str] = []
    claim = store.claim

    async def counted(*args: Any, **kwargs: Any) -> bool:
        claims.append(kwargs["period"])
        return await claim(*args, **kwargs)

    monkeypatch.setattr(store, "claim", counted)
    voters = [f"v{i}" for i in range(20)]
    await asyncio.gather(
        *(
            board.service.react(voter=board.user(v), target=answer.post_id, emoji="👍")
            for v in voters
        )
    )
    assert claims == [str(answer.post_id)]
    assert len(poster.notices) == 1


async def test_a_question_reaching_the_hot_score_is_not_announced(
    board: Board, poster: RecordingPoster
) -> None:
    asked = await board.ask()
    for voter in ("u1", "u2", "u3", "u4", "u5"):
        await board.service.react(voter=board.user(voter), target=asked.post_id, emoji="👍")
    assert poster.notices == []


async def test_a_failing_platform_does_not_undo_the_vote(board: Board) -> None:
    board.service.posters.register("slack", RecordingPoster(fail=True))
    asked = await board.ask()
    answer = await board.answer("bob", asked)
    await board.votes(answer, "👍", "u1", "u2", "u3", "u4")
    outcome = await board.service.react(voter=board.user("u5"), target=answer.post_id, emoji="👍")
    assert outcome.score == 5


async def test_the_leaderboard_counts_votes_on_answers_not_anonymous_questions(
    board: Board,
) -> None:
    asked = await board.ask("secret", anonymous=True)
    for voter in ("u1", "u2"):
        await board.service.react(voter=board.user(voter), target=asked.post_id, emoji="👍")
    answer = await board.answer("bob", asked)
    await board.votes(answer, "👍", "u1")
    board.clock.advance(days=8)
    await board.votes(await board.answer("carol", asked), "👍", "u1", "u2")
    week = await board.service.leaderboard(workspace=TEAM)
    ever = await board.service.leaderboard(workspace=TEAM, window=Window.ALL)
    assert [(x.user_id, x.net) for x in week.leaders] == [("carol", 2)]
    assert [(x.user_id, x.net) for x in ever.leaders] == [("carol", 2), ("bob", 1)]


async def test_unanswered_lists_questions_oldest_first(board: Board) -> None:
    first = await board.ask(text="First?")
    board.clock.advance(hours=1)
    await board.ask(text="Second?")
    await board.answer("bob", await board.ask(text="Answered?"))
    found = await board.service.unanswered(workspace=TEAM, channel_id=CHANNEL)
    assert [q.text for q in found.questions] == ["First?", "Second?"]
    assert found.questions[0].number == first.number


async def test_mydata_exports_a_persons_questions_answers_and_votes_as_json(board: Board) -> None:
    mine = await board.ask("alice", "My question?", anonymous=True)
    theirs = await board.ask("bob", "Bob's question?")
    await board.answer("alice", theirs, "My answer.")
    await board.votes(await board.answer("bob", mine, "Bob's answer."), "👍", "alice")
    export = await board.service.my_data(user=board.user("alice"))
    document = json.loads(export.json_text)
    assert [q["text"] for q in document["questions"]] == ["My question?"]
    assert [a["text"] for a in document["answers"]] == ["My answer."]
    assert [v["post"] for v in document["votes"]] == ["A2"]
    assert "Bob's" not in export.json_text and "bob" not in export.json_text


async def test_forgetme_without_confirming_changes_nothing(board: Board) -> None:
    await board.votes(await board.answer("bob", await board.ask()), "👍", "carol")
    before = board.snapshot()
    reply = await board.service.forget_me(user=board.user("carol"), confirmed=False)
    assert isinstance(reply, ForgetPrompt) and board.snapshot() == before


async def test_forgetme_leaves_nothing_of_the_person_but_anonymous_text(board: Board) -> None:
    asked = await board.ask("alice", "Where do I start?")
    answer = await board.answer("bob", asked, "Bob answers.")
    await board.answer("alice", asked, "Her own addition.")
    await board.votes(answer, "👍", "alice", "carol")
    reply = await board.service.forget_me(user=board.user("alice"), confirmed=True)
    assert reply == Forgotten(votes_removed=1, posts_anonymised=2)
    on_disk = repr(board.snapshot())
    assert "alice" not in on_disk.lower()
    assert "Where do I start?" in on_disk and "Her own addition." in on_disk
    refreshed = await board.service.get(TEAM, answer.post_id)
    assert (refreshed.ups, refreshed.downs) == (1, 0)
    question = await board.service.get(TEAM, asked.post_id)
    assert question.shown_asker == "Anonymous"  # type: ignore[union-attr]


async def test_known_tags_offer_tags_in_use_for_a_prefix(board: Board) -> None:
    for tags in (("ml",), ("ml", "mobile"), ("salary",)):
        await board.service.ask(
            asker=board.user("alice"), channel=ChannelRef(TEAM, CHANNEL), text="Q?", tags=tags
        )
    assert list(await board.service.known_tags(workspace=TEAM, prefix="#m", limit=5)) == [
        "ml", "mobile",
    ]  # fmt: skip
    assert list(await board.service.known_tags(workspace=TEAM, prefix="no way!", limit=5)) == []


async def test_forgetme_redraws_the_persons_question_messages_without_their_name(
    board: Board, poster: RecordingPoster
) -> None:
    asked = await board.ask("alice", "Where do I start?")
    await board.service.link_question(asked, message=MessageRef(CHANNEL, "9.9"))
    await board.service.forget_me(user=board.user("alice"), confirmed=True)
    [redrawn] = poster.refreshed
    assert (redrawn.number, redrawn.shown_asker) == (asked.number, "Anonymous")
