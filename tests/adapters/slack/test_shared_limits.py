"""Two `qabot run` processes on one PostgreSQL database hold one person to the limits in total."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain import ChannelRef, MessageRef, PostId, PostKind, UserRef
from bot.service import QAService
from bot.settings import Settings, StorageSettings
from storage import open_store
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID, FakeSlack
from tests.adapters.slack.test_many_processes import stop_and_read_logs, two_processes
from tests.adapters.slack.test_shutdown import WORKSPACE
from tests.conftest import FreshUrl

VOTER = "U0CAROL003"
ANSWERS = 8


def answer_ts(n: int) -> str:
    return f"1700000000.{n + 200:06d}"


async def seed_answers(url: str) -> None:
    """Q1 with answers A1 to A8, each by someone else, as if asked and answered earlier."""
    store = await open_store(url)
    service = QAService(store=store, settings=Settings(storage=StorageSettings(url=url)))
    asker = UserRef(WORKSPACE, "U0ALICE001")
    question = await service.ask(asker=asker, channel=ChannelRef(WORKSPACE, CHANNEL_ID), text="Q?")
    await service.link_question(question, message=MessageRef(CHANNEL_ID, "1700000000.000100"))
    for n in range(ANSWERS):
        await service.answer(
            author=UserRef(WORKSPACE, f"U0AUTHOR{n:02d}"), question=question.post_id,
            text=f"Answer {n}.", message=MessageRef(CHANNEL_ID, answer_ts(n)),
        )  # fmt: skip
    await store.close()


async def ups_of_answers(url: str) -> list[int]:
    store = await open_store(url)
    try:
        posts = [await store.get_post(WORKSPACE, PostId(PostKind.ANSWER, n + 1)) for n in range(8)]
    finally:
        await store.close()
    return [post.ups if post is not None else -1 for post in posts]


async def test_one_persons_votes_split_between_two_processes_hold_to_the_limit_in_total(
    fake_slack: FakeSlack, tmp_path: Path, fresh_url: FreshUrl
) -> None:
    url = await fresh_url("postgres")
    await seed_answers(url)
    fake_slack.add_user(VOTER, "Carol Coder")
    limits = "[limits]\nvotes_per_minute = 5\n"
    async with two_processes(tmp_path, fake_slack, url, extra=limits) as (processes, endpoints):
        for n in range(ANSWERS):
            vote = builders.reaction(user=VOTER, name="+1", ts=answer_ts(n))
            assert (await endpoints[n % 2].event(vote)).status == 200
        await fake_slack.wait_for_call("chat.postEphemeral", count=3, within=15)
        await asyncio.sleep(0.5)  # a fourth refusal, or a sixth vote, would have come by now
        logs = await stop_and_read_logs(processes)
    told = fake_slack.ephemerals(VOTER)
    assert len(told) == 3
    assert all("voted 5 times in the last minute" in t["text"] for t in told)
    assert sum(await ups_of_answers(url)) == 5
    assert [p.returncode for p in processes] == [0, 0]
    assert not any("Traceback" in log for log in logs)
