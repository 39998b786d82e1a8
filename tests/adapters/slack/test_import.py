"""`qabot import slack`: a channel's existing threads become questions, answers and votes.

Every test reads the fake Web API through the real slack_sdk client the command builds; the
kill-and-resume test and the re-run test run the `qabot import` command in its own process.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.importer import slack_import_source
from bot.domain import PostId, PostKind, TopQuery, Window, WorkspaceRef
from bot.importing import Importer, ImportOptions, ImportSummary
from bot.ports import Store
from bot.replies import FORGOTTEN_ID, FORGOTTEN_NAME
from bot.service import utc_now
from bot.settings import Settings
from storage import open_store
from tests.adapters.importing import QABOT, ROOT, Quiet
from tests.adapters.slack.fake_slack import BOT_TOKEN, CHANNEL_ID, TEAM_ID, FakeSlack
from tests.adapters.slack.world import ALICE, BOB, CAROL, DAVE, ERIN, PEOPLE
from tests.conftest import FreshUrl

TEAM = WorkspaceRef("slack", TEAM_ID)


@pytest.fixture(autouse=True)
def people(fake_slack: FakeSlack) -> None:
    for user_id, name in PEOPLE.items():
        fake_slack.add_user(user_id, name)


async def run_import(settings: Settings, store: Store, **options: Any) -> ImportSummary:
    chosen = ImportOptions((CHANNEL_ID,), **options)
    async with slack_import_source(settings, chosen.channels) as source:
        importer = Importer(
            store=store, settings=settings, source=source, workspace=TEAM, clock=utc_now
        )
        return await importer.run(chosen, Quiet())


def thread(fake: FakeSlack, text: str, replies: list[tuple[str, str]], *, by: str = ALICE) -> str:
    """A top-level message and its replies (author, text), as the channel shows them."""
    ts = fake.add_top_message(CHANNEL_ID, by, text)
    for user, reply in replies:
        fake.add_message(CHANNEL_ID, user, reply, thread_ts=ts)
    return ts


def reply_ts(fake: FakeSlack, parent: str) -> list[str]:
    return sorted(ts for (ch, ts), m in fake.messages.items() if m.get("thread_ts") == parent)


async def board(store: Store) -> list[tuple[Any, ...]]:
    """Every question and answer with what a reader sees of it, by public id."""
    shown: list[tuple[Any, ...]] = []
    for kind in PostKind:
        number = 1
        while (post := await store.get_post(TEAM, PostId(kind, number))) is not None:
            shown.append((str(post.post_id), post.author_id, post.text, post.ups, post.downs,
                          post.created_at, getattr(post, "accepted_answer", None)))  # fmt: skip
            number += 1
    return shown


async def top(store: Store) -> list[tuple[str, int, int]]:
    ranked = await store.top_answers(TEAM, TopQuery(CHANNEL_ID, Window.ALL, limit=50), since=None)
    return [(str(r.answer.post_id), r.answer.ups, r.answer.downs) for r in ranked]


async def test_a_channel_mixing_questions_with_chatter_imports_only_the_questions(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    asked = thread(fake_slack, "How do I ask for a raise?", [(BOB, "With numbers")])
    chatter = thread(fake_slack, "Lunch at noon", [(BOB, "Count me in")])
    fake_slack.add_top_message(CHANNEL_ID, CAROL, "Anyone around?")  # no replies: not a thread
    bot = thread(fake_slack, "Deploy done?", [(BOB, "Yes")], by="U0DEPLOYBT")
    fake_slack.messages[(CHANNEL_ID, bot)]["bot_id"] = "B0DEPLOYBT"

    summary = await run_import(slack_settings, store)

    assert (summary.threads_seen, summary.questions, summary.answers) == (3, 1, 1)
    reasons = {skip.message.message_id: skip.reason for skip in summary.skipped}
    assert reasons.keys() == {chatter, bot}
    assert "no question mark" in reasons[chatter] and "bot" in reasons[bot]
    question = await store.get_post(TEAM, PostId(PostKind.QUESTION, 1))
    assert question is not None and question.message is not None
    assert (question.text, question.message.message_id) == ("How do I ask for a raise?", asked)


async def test_history_that_pages_is_read_to_its_end_and_numbered_in_order_asked(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    fake_slack.page_at_most = 2
    for n in range(5):
        thread(fake_slack, f"Question number {n}?", [(BOB, f"Answer {n}")])

    await run_import(slack_settings, store)

    shown = [row[2] for row in await board(store) if row[0].startswith("Q")]
    assert shown == [f"Question number {n}?" for n in range(5)]
    assert len(fake_slack.calls_to("conversations.history")) == 3


async def test_a_thread_past_the_first_page_of_replies_keeps_every_answer(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    fake_slack.page_at_most = 2
    thread(fake_slack, "Which certificates matter?", [(BOB, f"Reply {n}") for n in range(5)])

    summary = await run_import(slack_settings, store)

    assert summary.answers == 5
    assert [row[2] for row in await board(store) if row[0].startswith("A")] == [
        f"Reply {n}" for n in range(5)
    ]


async def test_an_answer_with_more_than_100_reacting_users_gets_every_vote(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    parent = thread(fake_slack, "Remote or office?", [(BOB, "Remote, with meetups")])
    (answer,) = reply_ts(fake_slack, parent)
    voters = [f"U0VOTER{n:03d}" for n in range(120)]
    fake_slack.reactions[(CHANNEL_ID, answer)] = {"+1": voters}

    summary = await run_import(slack_settings, store)

    assert summary.votes == 120
    assert await top(store) == [("A1", 120, 0)]


async def test_reactions_become_votes_by_the_live_rules_and_the_askers_check_accepts(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    parent = thread(fake_slack, "Should I learn Rust?", [(BOB, "Yes"), (CAROL, "Later")])
    first, second = reply_ts(fake_slack, parent)
    fake_slack.reactions[(CHANNEL_ID, parent)] = {"+1": [ALICE, DAVE]}  # the asker's own: no
    fake_slack.reactions[(CHANNEL_ID, first)] = {
        "+1": [BOB, DAVE, ERIN], "-1": [ERIN], "white_check_mark": [ALICE],
    }  # fmt: skip
    fake_slack.reactions[(CHANNEL_ID, second)] = {"white_check_mark": [ALICE, DAVE]}

    await run_import(slack_settings, store)

    question, a1, a2 = await board(store)
    assert (question[3], question[6]) == (1, 1)  # DAVE's vote; A1 accepted, the first ✅'d
    assert (a1[3], a1[4]) == (1, 0)  # BOB's own does not count, ERIN's 👍👎 cancel out
    assert (a2[3], a2[4]) == (0, 0)  # ✅ is not a vote


async def test_a_429_in_the_middle_is_waited_out(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    for n in range(3):
        thread(fake_slack, f"Rate limited {n}?", [(BOB, "ok")])
    fake_slack.rate_limit_next("conversations.replies", retry_after=1)

    summary = await run_import(slack_settings, store)

    assert (summary.questions, summary.answers) == (3, 3)
    assert len(fake_slack.calls_to("conversations.replies")) == 4


async def test_a_missing_scope_stops_with_one_line_naming_it(
    fake_slack: FakeSlack, slack_settings: Settings, tmp_path: Path
) -> None:
    fake_slack.fail_next("conversations.history", "missing_scope")

    process = await _qabot_import(fake_slack, slack_settings, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)

    lines = [line for line in stderr.decode().splitlines() if line.startswith("qabot:")]
    assert process.returncode == 2 and "Traceback" not in stderr.decode()
    assert "conversations.history" in lines[-1] and "missing_scope" in lines[-1]


async def test_a_forgotten_person_is_not_brought_back(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store
) -> None:
    parent = thread(fake_slack, "Is a PhD worth it?", [(DAVE, "Not for industry")])
    (answer,) = reply_ts(fake_slack, parent)
    fake_slack.reactions[(CHANNEL_ID, parent)] = {"+1": [DAVE]}
    fake_slack.reactions[(CHANNEL_ID, answer)] = {"+1": [BOB]}
    await store.forget_person(
        TEAM, DAVE, replacement_id=FORGOTTEN_ID, replacement_name=FORGOTTEN_NAME
    )

    await run_import(slack_settings, store)

    question = await store.get_post(TEAM, PostId(PostKind.QUESTION, 1))
    reply = await store.get_post(TEAM, PostId(PostKind.ANSWER, 1))
    assert question is not None and question.ups == 0
    assert reply is not None and (reply.author_name, reply.ups) == (FORGOTTEN_NAME, 1)


async def _qabot_import(
    fake: FakeSlack, settings: Settings, tmp_path: Path, *extra: str
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_BASE_URL": fake.api_url,
        "QABOT_STORAGE_URL": settings.storage.url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return await asyncio.create_subprocess_exec(
        *QABOT, "import", "slack", "--channel", CHANNEL_ID, *extra,
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _many_threads(fake: FakeSlack, count: int) -> None:
    for n in range(count):
        parent = thread(fake, f"Career question {n}?", [(BOB, f"Answer {n}"), (CAROL, "+1")])
        fake.reactions[(CHANNEL_ID, parent)] = {"+1": [DAVE]}
        for ts in reply_ts(fake, parent):
            fake.reactions[(CHANNEL_ID, ts)] = {"+1": [DAVE, ERIN], "white_check_mark": [ALICE]}


@pytest.fixture(params=["sqlite", "postgres"])
async def each_store(
    request: pytest.FixtureRequest, slack_settings: Settings, fresh_url: FreshUrl
) -> Settings:
    url = await fresh_url(request.param)
    return replace(slack_settings, storage=replace(slack_settings.storage, url=url))


async def test_a_killed_import_resumes_to_the_board_an_uninterrupted_run_makes(
    fake_slack: FakeSlack, each_store: Settings, fresh_url: FreshUrl, tmp_path: Path
) -> None:
    _many_threads(fake_slack, 45)
    process = await _qabot_import(fake_slack, each_store, tmp_path)
    await fake_slack.wait_for_call("conversations.replies", count=30, within=60)
    fake_slack.hold("conversations.replies")  # stalls the run mid-batch
    process.send_signal(signal.SIGKILL)
    await process.wait()
    read_before = len(fake_slack.calls_to("conversations.replies"))
    fake_slack.holds.clear()

    resumed = await _qabot_import(fake_slack, each_store, tmp_path)
    out, _ = await asyncio.wait_for(resumed.communicate(), 60)
    reread = len(fake_slack.calls_to("conversations.replies")) - read_before
    whole_url = await fresh_url("sqlite")
    whole = replace(each_store, storage=replace(each_store.storage, url=whole_url))
    uninterrupted = await _qabot_import(fake_slack, whole, tmp_path)
    await asyncio.wait_for(uninterrupted.communicate(), 60)

    assert resumed.returncode == 0 and reread < 45, out.decode()
    async with _opened(each_store) as after_kill, _opened(whole) as straight:
        assert await board(after_kill) == await board(straight)
        assert len(await board(after_kill)) == 45 * 3


async def test_a_second_run_changes_nothing(
    fake_slack: FakeSlack, each_store: Settings, tmp_path: Path
) -> None:
    _many_threads(fake_slack, 5)
    first = await _qabot_import(fake_slack, each_store, tmp_path)
    await asyncio.wait_for(first.communicate(), 60)
    async with _opened(each_store) as store:
        before = (await board(store), await top(store))

    second = await _qabot_import(fake_slack, each_store, tmp_path)
    out, _ = await asyncio.wait_for(second.communicate(), 60)

    assert "imported 0 questions, 0 answers, 0 votes" in out.decode()
    async with _opened(each_store) as store:
        assert (await board(store), await top(store)) == before
        assert await store.recount() == 0


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[Store]:
    store = await open_store(settings.storage.url)
    try:
        yield store
    finally:
        await store.close()


async def test_a_dry_run_lists_what_it_would_import_and_writes_nothing(
    fake_slack: FakeSlack, slack_settings: Settings, tmp_path: Path
) -> None:
    thread(fake_slack, "Where do I start with SQL?", [(BOB, "With joins")])
    thread(fake_slack, "Coffee break", [(BOB, "Coming")])

    process = await _qabot_import(fake_slack, slack_settings, tmp_path, "--dry-run")
    out, _ = await asyncio.wait_for(process.communicate(), 30)

    printed = out.decode()
    assert "would import" in printed and "Where do I start with SQL?" in printed
    assert "would import 1 questions, 1 answers, 0 votes; 1 skipped" in printed
    async with _opened(slack_settings) as store:
        assert await store.get_post(TEAM, PostId(PostKind.QUESTION, 1)) is None
