"""Console transcripts: lines typed in, the printed replies out, the real store underneath."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleSession, run_console
from bot.service import QAService
from bot.settings import Settings
from storage.sqlite import SqliteStore
from tests.conftest import Board, FakeClock


@pytest.fixture
def session(service: QAService) -> ConsoleSession:
    return ConsoleSession(service=service, user="you", channel="general")


async def transcript(session: ConsoleSession, lines: Sequence[str]) -> list[str]:
    """Each typed line's reply, as printed."""
    replies = []
    for line in lines:
        reply = await session.handle(line)
        replies.append("" if reply is None else reply)
    return replies


async def last(session: ConsoleSession, lines: Sequence[str]) -> str:
    return (await transcript(session, lines))[-1]


ASK_ANSWER_VOTE = [
    "/ask How do I negotiate a salary offer? #career",
    "/as bob",
    "/answer Q1 Know your market rate first.",
    "/as carol",
    "/react A1 👍",
    "/top",
]


async def test_ask_answer_vote_and_top(session: ConsoleSession) -> None:
    replies = await transcript(session, ASK_ANSWER_VOTE)
    assert replies[0].splitlines() == [
        "Q1 asked by you in #general: How do I negotiate a salary offer?  #career",
        "Answer with /answer Q1 <text>; vote with /react Q1 👍",
    ]
    assert replies[2].splitlines()[0] == "A1 by bob answers Q1: Know your market rate first."
    assert replies[4] == "👍 counted on A1. Score +1 (↑1 ↓0)."
    assert replies[5].splitlines() == [
        "Top answers in #general, this week:",
        " 1. A1  +1 (↑1 ↓0)",
        "    Know your market rate first. (by bob)",
        "    on Q1: How do I negotiate a salary offer?",
    ]


async def test_an_anonymous_question_shows_no_name_anywhere(session: ConsoleSession) -> None:
    replies = await transcript(
        session,
        [
            "/as alice",
            "/ask Am I underpaid? --anon",
            "/as bob",
            "/answer Q1 Compare with levels.fyi.",
            "/top",
            "/search underpaid",
        ],
    )
    assert replies[1].startswith("Q1 asked by Anonymous in #general: Am I underpaid?")
    assert "alice" not in "\n".join(replies[1:]).lower()
    assert "question by Anonymous" in replies[5]


async def test_thumbs_up_and_arrow_up_count_once_in_top(session: ConsoleSession) -> None:
    replies = await transcript(session, [*ASK_ANSWER_VOTE[:-1], "/react A1 ⬆️", "/top"])
    assert replies[-2] == "⬆️ counted on A1. Score +1 (↑1 ↓0)."
    assert " 1. A1  +1 (↑1 ↓0)" in replies[-1]


async def test_thumbs_up_and_thumbs_down_cancel_out(session: ConsoleSession) -> None:
    reply = await last(session, [*ASK_ANSWER_VOTE[:-1], "/react A1 👎"])
    assert reply == (
        "Your 👎 on A1 cancels out your earlier opposite reaction: you have no vote on it. "
        "Score +0 (↑0 ↓0)."
    )


async def test_the_same_reaction_twice_says_nothing_changed(
    session: ConsoleSession, board: Board
) -> None:
    await transcript(session, ASK_ANSWER_VOTE[:-1])
    before = board.snapshot()
    reply = await last(session, ["/react A1 :+1:"])
    assert reply == "You already reacted with :+1: on A1; nothing changed. Score +1 (↑1 ↓0)."
    assert board.snapshot() == before


async def test_removing_a_reaction_never_made_says_nothing_changed(
    session: ConsoleSession, board: Board
) -> None:
    await transcript(session, ASK_ANSWER_VOTE[:-1])
    before = board.snapshot()
    reply = await last(session, ["/as dave", "/unreact A1 👍"])
    assert reply == "You had not reacted with 👍 on A1; nothing changed. Score +1 (↑1 ↓0)."
    assert board.snapshot() == before


async def test_a_check_mark_by_the_asker_accepts_and_top_shows_the_badge(
    session: ConsoleSession,
) -> None:
    replies = await transcript(session, [*ASK_ANSWER_VOTE[:-1], "/as you", "/react A1 ✅", "/top"])
    assert replies[-2] == "✅ A1 is now the accepted answer to Q1."
    assert " 1. A1  +1 (↑1 ↓0)  ✅ accepted" in replies[-1]


async def test_the_asker_accepts_with_the_command(session: ConsoleSession) -> None:
    reply = await last(session, [*ASK_ANSWER_VOTE[:-1], "/as you", "/accept A1"])
    assert reply == "✅ A1 is now the accepted answer to Q1."


async def test_a_moderator_who_did_not_ask_accepts(session: ConsoleSession) -> None:
    lines = ["/as alice", "/ask Which language first?", "/as bob", "/answer Q1 Python."]
    reply = await last(session, [*lines, "/as you", "/accept A1"])
    assert reply == "✅ A1 is now the accepted answer to Q1."


async def test_a_moderator_removes_an_answer_and_top_forgets_it(
    session: ConsoleSession,
) -> None:
    replies = await transcript(
        session, [*ASK_ANSWER_VOTE[:-1], "/as you", "/remove A1", "/top", "/search market"]
    )
    assert replies[-3] == (
        "A1 is removed: it no longer shows anywhere, and votes on it no longer count."
    )
    assert replies[-2].endswith("no answers yet. Try a longer window, like /top all.")
    assert replies[-1] == "Nothing matches 'market'. Try fewer or other words."


async def test_recount_repairs_a_corrupted_score(session: ConsoleSession, board: Board) -> None:
    await transcript(session, ASK_ANSWER_VOTE[:-1])
    board.execute("UPDATE posts SET ups = 40 WHERE kind = 'A'")
    replies = await transcript(session, ["/as you", "/recount", "/top"])
    assert replies[1] == "Recounted every score from the votes: 1 corrected."
    assert " 1. A1  +1 (↑1 ↓0)" in replies[2]


async def test_top_windows_follow_the_clock(session: ConsoleSession, clock: FakeClock) -> None:
    await transcript(session, ASK_ANSWER_VOTE[:-1])
    clock.advance(days=8)
    replies = await transcript(session, ["/top", "/top month", "/top day"])
    assert "no answers yet" in replies[0]
    assert replies[1].startswith("Top answers in #general, this month:\n 1. A1")
    assert "no answers yet" in replies[2]


async def test_top_by_tag_and_by_question(session: ConsoleSession) -> None:
    lines = [*ASK_ANSWER_VOTE[:-1], "/ask Bootcamps? #edu", "/answer Q2 Maybe."]
    replies = await transcript(session, [*lines, "/top #edu", "/top Q1"])
    assert replies[-2].splitlines()[1].startswith(" 1. A2")
    assert len([line for line in replies[-2].splitlines() if line[:4].strip().endswith(".")]) == 1
    assert replies[-1].splitlines()[0] == "Top answers to Q1:"
    assert replies[-1].splitlines()[1].startswith(" 1. A1")


async def test_another_channel_has_its_own_top(session: ConsoleSession) -> None:
    reply = await last(session, [*ASK_ANSWER_VOTE[:-1], "/channel #jobs", "/top"])
    assert reply.startswith("Top answers in #jobs, this week: no answers yet.")


async def test_search_reads_query_syntax_as_plain_words(session: ConsoleSession) -> None:
    reply = await last(session, [*ASK_ANSWER_VOTE[:-1], '/search "salary* (('])
    assert reply.splitlines() == [
        "Results for '\"salary* ((':",
        "  Q1  question by you: How do I negotiate a [salary] offer?",
    ]


BAD_LINES = {
    "empty question": "/ask",
    "whitespace question": "/ask     ",
    "question over the limit": "/ask " + "x" * 4001,
    "NUL in a question": "/ask Salary\x00?",
    "escape in an answer": "/answer Q1 Hi \x1b[2J",
    "empty answer": "/answer Q1",
    "answer without a question": "/answer",
    "answer to an unknown question": "/answer Q42 Hello",
    "answer to an answer id": "/answer A1 Hello",
    "react without an emoji": "/react A1",
    "react to nothing": "/react",
    "react with a bad id": "/react X1 👍",
    "react to an unknown post": "/react A42 👍",
    "unmapped emoji": "/react A1 🎉",
    "unmapped shortcode": "/react A1 :tada:",
    "a word for an emoji": "/react A1 nice",
    "self vote": "alice: /react Q1 👍",
    "accept by someone else": "/accept A1",
    "accept without an id": "/accept",
    "accept a question id": "/accept Q1",
    "remove by someone else": "/remove Q1",
    "recount by someone else": "/recount",
    "top with nonsense": "/top fortnight",
    "top of an unknown question": "/top Q99",
    "top with SQL": "/top '; DROP TABLE posts; --",
    "search with nothing": "/search",
    "search with only syntax": '/search "()*"',
    "unknown command": "/frobnicate",
    "no slash": "hello bot",
    "bad user name": "/as bob smith!",
    "bad channel name": "/channel",
}


@pytest.mark.parametrize("line", BAD_LINES.values(), ids=BAD_LINES.keys())
async def test_a_bad_line_gets_one_sentence_and_changes_nothing(
    service: QAService, board: Board, line: str
) -> None:
    # alice asked Q1, bob answered A1; carol (no moderator) types the line, or alice if named.
    setup = ConsoleSession(service=service, user="alice", channel="general")
    await transcript(setup, ["/ask How do I negotiate salary?", "/as bob", "/answer Q1 Ask."])
    before = board.snapshot()
    who, _, typed = line.rpartition(": ") if line.startswith("alice: ") else ("carol", "", line)
    reply = await ConsoleSession(service=service, user=who, channel="general").handle(typed)
    assert reply and "\n" not in reply and "Traceback" not in reply
    assert board.snapshot() == before


@pytest.mark.parametrize(
    ("typed", "first_line"),
    [
        ("((salary", "Results for '((salary':"),
        ("salary' OR 1=1; --", "Nothing matches \"salary' OR 1=1; --\". Try fewer or other words."),
        ("'; DROP TABLE posts; --",
         "Nothing matches \"'; DROP TABLE posts; --\". Try fewer or other words."),
        ("salary -negotiate", "Results for 'salary -negotiate':"),
    ],
    ids=["unbalanced parentheses", "SQL or", "SQL drop", "minus"],
)  # fmt: skip
async def test_search_syntax_is_plain_words_and_changes_nothing(
    session: ConsoleSession, board: Board, typed: str, first_line: str
) -> None:
    await transcript(session, ["/ask How do I negotiate salary?"])
    before = board.snapshot()
    reply = await last(session, [f"/search {typed}"])
    assert reply.splitlines()[0] == first_line
    assert board.snapshot() == before


async def test_a_bad_line_keeps_who_and_where_you_are(session: ConsoleSession) -> None:
    await transcript(session, ["/as bob", "/channel jobs", "/as !!", "/channel ???"])
    assert session.prompt == "bob@#jobs> "


async def test_help_lists_every_command(session: ConsoleSession) -> None:
    reply = await last(session, ["/help"])
    for command in ("/ask", "/answer", "/react", "/unreact", "/accept", "/top", "/search"):
        assert f"\n  {command} " in reply


async def test_a_script_on_stdin_prints_each_reply_and_stops_at_quit(
    session: ConsoleSession,
) -> None:
    stdin = io.StringIO("/ask Salary?\n/quit\n/ask Never read?\n")
    stdout = io.StringIO()
    await run_console(session, stdin=stdin, stdout=stdout, interactive=False)
    printed = stdout.getvalue().splitlines()
    assert printed[0] == "Q1 asked by you in #general: Salary?"
    assert printed[-1] == "Bye."
    assert "Never read?" not in stdout.getvalue()


async def test_end_of_input_ends_the_console_quietly(session: ConsoleSession) -> None:
    stdout = io.StringIO()
    await run_console(session, stdin=io.StringIO("/top all\n"), stdout=stdout, interactive=False)
    assert stdout.getvalue() == (
        "Top answers in #general, all time: no answers yet. Answer a question with "
        "/answer Q<n> <text>.\n\n"
    )


async def test_a_broken_store_prints_one_sentence_not_a_traceback(
    session: ConsoleSession, service: QAService
) -> None:
    await service.store.close()
    stdout = io.StringIO()
    await run_console(session, stdin=io.StringIO("/top\n"), stdout=stdout, interactive=False)
    assert stdout.getvalue().strip() == (
        "The Q&A store is unavailable right now; nothing was changed. Please try again."
    )


COMMANDS = ["/ask", "/answer", "/react", "/unreact", "/accept", "/top", "/search", "/as",
            "/channel", "/remove", "/recount", "/help", ""]  # fmt: skip


def test_no_typed_line_ever_reaches_the_something_went_wrong_reply(tmp_path: Path) -> None:
    with asyncio.Runner() as runner:
        store = runner.run(SqliteStore.open(tmp_path / "fuzz.db"))
        service = QAService(store=store, settings=Settings(), clock=FakeClock())
        session = ConsoleSession(service=service, user="you", channel="general")
        runner.run(transcript(session, ASK_ANSWER_VOTE))

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.sampled_from(COMMANDS), st.text(max_size=30))
        def type_line(command: str, args: str) -> None:
            session.user, session.channel = "you", "general"
            reply = runner.run(session.handle(f"{command} {args}"))
            assert reply is None or "Something went wrong" not in reply

        try:
            type_line()
        finally:
            runner.run(store.close())


async def test_a_long_search_is_echoed_as_a_short_excerpt(session: ConsoleSession) -> None:
    words = "salary " * 70  # 490 characters: long, but under the search limit
    reply = await last(session, [f"/search {words}"])
    assert reply.startswith("Nothing matches 'salary salary")
    assert "…'" in reply and len(reply) < 120


async def test_taking_back_the_check_mark_names_the_question(session: ConsoleSession) -> None:
    reply = await last(
        session, [*ASK_ANSWER_VOTE[:-1], "/as you", "/react A1 ✅", "/unreact A1 ✅"]
    )
    assert reply == "A1 is no longer the accepted answer to Q1."


async def test_accepting_by_reaction_and_by_command_read_the_same(service: QAService) -> None:
    by_reaction = ConsoleSession(service=service, user="you", channel="general")
    reacted = await last(by_reaction, [*ASK_ANSWER_VOTE[:-1], "/as you", "/react A1 ✅"])
    accepted = await last(by_reaction, ["/unreact A1 ✅", "/accept A1"])
    assert reacted == accepted == "✅ A1 is now the accepted answer to Q1."


async def test_tabs_separate_a_command_from_its_words(session: ConsoleSession) -> None:
    replies = await transcript(
        session, ["/ask\tTabs or spaces?", "/answer\tQ1\tSpaces.", "/top\tQ1"]
    )
    assert replies[0].startswith("Q1 asked by you in #general: Tabs or spaces?")
    assert replies[1].startswith("A1 by you answers Q1: Spaces.")
    assert replies[2].startswith("Top answers to Q1")
