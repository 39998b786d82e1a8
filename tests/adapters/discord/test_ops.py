"""What the Discord adapter tells the operator: readiness, events, votes and command times."""

from __future__ import annotations

from adapters.ops.prometheus import PrometheusMetrics

from .fake_discord import FakeDiscord
from .harness import Harness


async def test_the_gateway_ready_makes_discord_ready(qa: Harness) -> None:
    assert qa.service.readiness.parts() == {"discord": "ok"}


async def test_votes_events_and_the_ask_command_are_counted(qa: Harness, fake: FakeDiscord) -> None:
    metrics = PrometheusMetrics()
    qa.service.metrics = metrics
    alice, bob, carol = (fake.add_member(n) for n in ("alice", "bob", "carol"))
    asked = await qa.ask(alice, "Is a bootcamp worth it?")
    answer = await qa.answer(bob, asked, "If you build things after it.")
    await fake.react(carol, answer, "👍")
    await fake.react(bob, answer, "👍")  # the author's own
    await qa.ranked_as(alice, ["+1 bob"])
    sample = metrics.registry.get_sample_value
    votes = [
        sample("qabot_votes_total", {"platform": "discord", "outcome": o, "reason": r})
        for o, r in (("counted", ""), ("ignored", "self"))
    ]
    assert votes == [1, 1]
    assert sample("qabot_command_seconds_count", {"platform": "discord", "command": "ask"}) == 1
    assert (
        sample("qabot_events_total", {"platform": "discord", "kind": "message_reaction_add"}) == 2
    )
