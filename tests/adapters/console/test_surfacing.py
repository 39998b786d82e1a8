"""Console transcripts for surfacing: /qa leaderboard, unanswered, mydata, forgetme, and notices."""

from __future__ import annotations

import json

import pytest

from adapters.console import ConsoleSession
from bot.service import QAService
from tests.adapters.console.test_session import last, transcript


@pytest.fixture
def session(service: QAService) -> ConsoleSession:
    return ConsoleSession(service=service, user="you", channel="general")


VOTED = [
    "/ask How do I negotiate a higher salary for a new job offer?",
    "/as bob",
    "/answer Q1 Know your market rate first.",
    *[line for voter in ("c1", "c2", "c3", "c4") for line in (f"/as {voter}", "/react A1 👍")],
]


async def test_a_similar_question_is_listed_under_the_new_one(session: ConsoleSession) -> None:
    reply = await last(session, [VOTED[0], "/ask Tips for negotiating my salary after an offer?"])
    assert reply.splitlines()[2:] == [
        "Q2 looks like earlier questions:",
        "  Q1  +0, 0 answer(s): How do I negotiate a higher salary for a new job offer?"
        "  (asked by you; see /top Q1)",
    ]


async def test_an_unrelated_question_lists_nothing_similar(session: ConsoleSession) -> None:
    reply = await last(session, [VOTED[0], "/ask Should I learn Rust or Go for backend work?"])
    assert len(reply.splitlines()) == 2


async def test_the_fifth_vote_makes_an_answer_hot_once(session: ConsoleSession) -> None:
    replies = await transcript(session, [*VOTED, "/as c5", "/react A1 👍", "/unreact A1 👍",
                                         "/react A1 👍"])  # fmt: skip
    assert replies[-3].splitlines()[-1] == (
        "🔥 A1 by bob on Q1 reached +5: Know your market rate first."
    )
    assert "🔥" not in replies[-1]


async def test_leaderboard_ranks_people_by_net_votes(session: ConsoleSession) -> None:
    reply = await last(session, [*VOTED, "/qa leaderboard"])
    assert reply.splitlines() == [
        "Leaderboard, this week (net votes on answers, accepted answers):",
        " 1. bob  +4 (↑4 ↓0)",
    ]


async def test_leaderboard_with_a_wrong_window_says_what_works(session: ConsoleSession) -> None:
    reply = await last(session, ["/qa leaderboard forever"])
    assert reply == (
        "I don't understand 'forever'. Try `leaderboard`, `leaderboard month` or `leaderboard all`."
    )


async def test_unanswered_leaves_out_answered_questions(session: ConsoleSession) -> None:
    lines = ["/ask First?", "/ask Second?", "/answer Q1 Yes.", "/qa unanswered"]
    reply = await last(session, lines)
    assert reply.splitlines()[:2] == [
        "Questions waiting for an answer, all time (oldest first):",
        "  Q2  Second? (asked 2026-03-02)",
    ]


async def test_mydata_prints_the_persons_json(session: ConsoleSession) -> None:
    reply = await last(session, [*VOTED, "/qa mydata"])
    head, _, body = reply.partition("\n")
    assert head == (
        "Your data on this board: 0 question(s), 0 answer(s), 1 vote(s). Only you can see this."
    )
    assert json.loads(body)["votes"][0]["post"] == "A1"


async def test_forgetme_asks_for_confirmation_first(session: ConsoleSession) -> None:
    replies = await transcript(session, [*VOTED, "/qa forgetme", "/qa leaderboard"])
    assert replies[-2].endswith("Type /qa forgetme confirm to go ahead.")
    assert "+4" in replies[-1]


async def test_forgetme_confirmed_removes_the_votes(session: ConsoleSession) -> None:
    replies = await transcript(session, [*VOTED, "/qa forgetme confirm", "/qa leaderboard"])
    assert replies[-2] == (
        "Done: 1 vote(s) removed, 0 post(s) now anonymous. Nothing on this board names you any "
        "more, and your reactions do not count, now or after a restart, until you type /qa rejoin."
    )
    assert "+3" in replies[-1]


async def test_a_forgotten_person_votes_again_only_after_rejoin(session: ConsoleSession) -> None:
    replies = await transcript(
        session, [*VOTED, "/qa forgetme confirm", "/react A1 👎", "/qa rejoin", "/react A1 👎"]
    )
    assert "/qa rejoin" in replies[-3] and "not counted" in replies[-3]
    assert replies[-2].startswith("Welcome back")
    assert replies[-1].startswith("👎 counted on A1")


async def test_qa_headline_shows_next_to_the_name_in_top(session: ConsoleSession) -> None:
    lines = [*VOTED[:3], "/qa headline Staff engineer at Acme", "/top all"]
    reply = await last(session, lines)
    assert "    Know your market rate first. (by bob (Staff engineer at Acme))" in reply


async def test_qa_headline_clear_removes_it(session: ConsoleSession) -> None:
    lines = [*VOTED[:3], "/qa headline Recruiter", "/qa headline clear", "/top all"]
    reply = await last(session, lines)
    assert "    Know your market rate first. (by bob)" in reply
