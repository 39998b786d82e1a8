"""`/metrics` counts what happens to votes cast through the real Slack adapter, exactly."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from adapters.ops.prometheus import PrometheusMetrics
from adapters.slack.runtime import EVENTS_PATH, start_slack
from bot.ports import Store
from bot.service import QAService
from bot.settings import LimitsSettings, Settings
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.signed_client import SignedClient
from tests.adapters.slack.world import BOB, CAROL, DAVE, ERIN, OTHER_BOT, PEOPLE, SlackWorld

REASONS = ("self", "bot", "unmapped", "limit", "duplicate")


@pytest.fixture
def metrics() -> PrometheusMetrics:
    return PrometheusMetrics()


@pytest.fixture
async def counted_world(
    fake_slack: FakeSlack, slack_settings: Settings, store: Store, metrics: PrometheusMetrics
) -> AsyncIterator[SlackWorld]:
    """The adapter as `qabot run` starts it, counting into Prometheus; 2 votes a minute each."""
    for user_id, name in PEOPLE.items():
        fake_slack.add_user(user_id, name)
    fake_slack.add_user(OTHER_BOT, "Some Bot", is_bot=True)
    settings = dataclasses.replace(slack_settings, limits=LimitsSettings(votes_per_minute=2))
    service = QAService(store=store, settings=settings, metrics=metrics)
    runner = await start_slack(settings=settings, service=service)
    http = SignedClient(f"http://127.0.0.1:{runner.port}{EVENTS_PATH}")
    yield SlackWorld(fake_slack, runner.bot, http, service)
    await http.close()
    await runner.close()


def votes(metrics: PrometheusMetrics, outcome: str, reason: str = "") -> float:
    labels = {"platform": "slack", "outcome": outcome, "reason": reason}
    return metrics.registry.get_sample_value("qabot_votes_total", labels) or 0.0


def ignored(metrics: PrometheusMetrics) -> dict[str, float]:
    """The ignored votes by reason, leaving out reasons never seen."""
    counts = {reason: votes(metrics, "ignored", reason) for reason in REASONS}
    return {reason: count for reason, count in counts.items() if count}


async def answer_ts(world: SlackWorld) -> str:
    question = await world.ask("Which certificate is worth it?")
    return await world.reply(question["ts"], "None of them, build things", user=BOB)


async def test_each_counted_vote_moves_the_counted_series_by_one(
    counted_world: SlackWorld, metrics: PrometheusMetrics
) -> None:
    answer = await answer_ts(counted_world)
    for voter in (CAROL, DAVE, ERIN):
        await counted_world.react(answer, "+1", user=voter)
    assert votes(metrics, "counted") == 3
    assert ignored(metrics) == {}


@pytest.mark.parametrize(
    ("voter", "emoji", "reason"),
    [
        (BOB, ["+1"], "self"),
        (OTHER_BOT, ["+1"], "bot"),
        (CAROL, ["tada"], "unmapped"),
        (CAROL, ["+1", "+1"], "duplicate"),
        (CAROL, ["+1", "arrow_up", "-1"], "limit"),
    ],
)
async def test_an_ignored_vote_is_counted_once_under_its_reason(
    counted_world: SlackWorld,
    metrics: PrometheusMetrics,
    voter: str,
    emoji: list[str],
    reason: str,
) -> None:
    answer = await answer_ts(counted_world)
    for name in emoji:
        await counted_world.react(answer, name, user=voter)
    assert ignored(metrics) == {reason: 1}


async def test_a_redelivered_vote_event_counts_as_a_duplicate(
    counted_world: SlackWorld, metrics: PrometheusMetrics
) -> None:
    answer = await answer_ts(counted_world)
    envelope = builders.reaction(user=CAROL, name="+1", ts=answer)
    await counted_world.event(envelope)
    await counted_world.event(envelope, retry_num=1)
    assert (votes(metrics, "counted"), ignored(metrics)) == (1, {"duplicate": 1})


async def test_a_refused_vote_counts_under_the_limit_that_refused_it(
    counted_world: SlackWorld, metrics: PrometheusMetrics
) -> None:
    answer = await answer_ts(counted_world)
    for name in ("+1", "arrow_up", "-1"):
        await counted_world.react(answer, name, user=CAROL)
    sample = metrics.registry.get_sample_value
    assert sample("qabot_rate_limited_total", {"limit": "votes_per_minute"}) == 1


async def test_every_delivered_event_is_counted_by_kind(
    counted_world: SlackWorld, metrics: PrometheusMetrics
) -> None:
    answer = await answer_ts(counted_world)  # a command and a message event
    await counted_world.react(answer, "tada", user=CAROL)
    sample = metrics.registry.get_sample_value
    kinds = ("command", "message", "reaction_added")
    counts = [sample("qabot_events_total", {"platform": "slack", "kind": k}) for k in kinds]
    assert counts == [1, 1, 1]


async def test_a_command_is_timed_under_its_name(
    counted_world: SlackWorld, metrics: PrometheusMetrics
) -> None:
    await counted_world.ask("How long does /ask take?")
    labels = {"platform": "slack", "command": "ask"}
    assert metrics.registry.get_sample_value("qabot_command_seconds_count", labels) == 1
