"""The hot-answer notice on both stores: only the vote that lands on the hot score claims it, so
votes racing past it in one batch (or one PostgreSQL statement) announce the answer once."""

from __future__ import annotations

import asyncio

from bot.domain import UserRef
from bot.ports import Store
from bot.replies import HotAnswer
from bot.service import QAService
from bot.settings import Settings
from tests.bot.recording_poster import RecordingPoster
from tests.storage.builders import SLACK, a, answer, ask


async def test_votes_racing_past_the_hot_score_announce_the_answer_once(store: Store) -> None:
    service = QAService(store=store, settings=Settings())
    poster = RecordingPoster()
    service.posters.register("slack", poster)
    await ask(store)
    await answer(store, 1)
    voters = [UserRef(SLACK, f"V{i}") for i in range(20)]
    outcomes = await asyncio.gather(
        *(service.react(voter=voter, target=a(1), emoji="👍") for voter in voters)
    )
    await service.unreact(voter=voters[0], target=a(1), emoji="👍")
    await service.react(voter=voters[0], target=a(1), emoji="👍")

    assert sorted(o.ups for o in outcomes) == list(range(1, 21))  # each vote saw its own count
    [(_, notice)] = poster.notices
    assert isinstance(notice, HotAnswer) and notice.answer.number == 1
    assert notice.answer.score == notice.threshold == 5
