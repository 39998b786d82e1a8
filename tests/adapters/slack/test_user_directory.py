"""The user cache (one `users.info` per user at a time, bounded) and the kept-alive replies."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.state import UserDirectory
from bot.domain import WorkspaceRef
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack
from tests.adapters.slack.world import ALICE, BOB, SlackWorld

WORKSPACE = WorkspaceRef("slack", TEAM_ID)


async def test_concurrent_lookups_of_one_user_make_one_call(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.add_user("U1", "Ann Lee")
    users = UserDirectory(web_client)

    refs = await asyncio.gather(*(users.get(WORKSPACE, "U1") for _ in range(5)))

    assert [ref.display_name for ref in refs] == ["Ann Lee"] * 5
    assert len(fake_slack.calls_to("users.info")) == 1
    await users.get(WORKSPACE, "U1")  # cached
    assert len(fake_slack.calls_to("users.info")) == 1


async def test_a_fresh_lookup_asks_slack_even_while_one_is_in_flight(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.add_user("U1", "Ann Lee", admin=True)
    users = UserDirectory(web_client)

    cached, fresh = await asyncio.gather(
        users.get(WORKSPACE, "U1"), users.get(WORKSPACE, "U1", fresh=True)
    )

    assert cached.is_admin and fresh.is_admin
    assert len(fake_slack.calls_to("users.info")) == 2


async def test_a_failed_lookup_gives_each_waiter_its_own_fallback_name(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.fail_next("users.info", "user_not_found")
    users = UserDirectory(web_client)

    one, two = await asyncio.gather(
        users.get(WORKSPACE, "U9", fallback_name="ann"),
        users.get(WORKSPACE, "U9", fallback_name="ann.lee"),
    )

    assert (one.display_name, two.display_name) == ("ann", "ann.lee")
    assert len(fake_slack.calls_to("users.info")) == 1
    assert len(users) == 0  # a failure is not cached: the next event asks again


async def test_a_cancelled_waiter_does_not_cancel_the_others(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake_slack.add_user("U1", "Ann Lee")
    users = UserDirectory(web_client)
    first = asyncio.ensure_future(users.get(WORKSPACE, "U1"))
    second = asyncio.ensure_future(users.get(WORKSPACE, "U1"))
    await asyncio.sleep(0)
    first.cancel()

    assert (await second).display_name == "Ann Lee"


async def test_the_cache_keeps_the_users_seen_most_recently(
    fake_slack: FakeSlack, web_client: AsyncWebClient
) -> None:
    for user_id in ("U1", "U2", "U3"):
        fake_slack.add_user(user_id, f"Person {user_id}")
    users = UserDirectory(web_client, size=2)

    await users.get(WORKSPACE, "U1")
    await users.get(WORKSPACE, "U2")
    await users.get(WORKSPACE, "U1")  # U1 used again: U2 is now the oldest
    await users.get(WORKSPACE, "U3")

    assert len(users) == 2
    calls = len(fake_slack.calls_to("users.info"))
    await users.get(WORKSPACE, "U1")
    assert len(fake_slack.calls_to("users.info")) == calls  # kept
    await users.get(WORKSPACE, "U2")
    assert len(fake_slack.calls_to("users.info")) == calls + 1  # forgotten, asked again


async def test_command_replies_share_one_kept_alive_connection(world: SlackWorld) -> None:
    await world.command("/top", user=ALICE)
    await world.command("/top", user=BOB)
    await world.command("/qa", "help", user=ALICE)

    peers = world.fake.response_peers
    assert len(peers) == 3 and len(set(peers)) == 1, peers
