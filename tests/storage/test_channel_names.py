"""Channel names on every store: the name a channel has now, kept per workspace, for the web
view; the same name again writes nothing; forgetme leaves them."""

from __future__ import annotations

from bot.ports import Store
from bot.replies import FORGOTTEN_ID
from tests.storage.builders import DISCORD, SLACK
from tests.storage.conftest import raw_fetch


async def test_a_recorded_channel_name_is_read_back_for_that_workspace_only(
    store: Store,
) -> None:
    assert await store.set_channel_name(SLACK, "C1", "career-advice") is True
    assert await store.set_channel_name(DISCORD, "C1", "general") is True
    assert await store.channel_names(SLACK, ["C1", "C2"]) == {"C1": "career-advice"}
    assert await store.channel_names(DISCORD, ["C1"]) == {"C1": "general"}
    assert await store.channel_names(SLACK, []) == {}


async def test_the_same_name_again_changes_nothing_and_a_rename_replaces_it(
    store: Store,
) -> None:
    await store.set_channel_name(SLACK, "C1", "jobs")
    assert await store.set_channel_name(SLACK, "C1", "jobs") is False
    assert await store.set_channel_name(SLACK, "C1", "job-hunting") is True
    assert await store.channel_names(SLACK, ["C1"]) == {"C1": "job-hunting"}
    assert await raw_fetch(store, "SELECT channel_id, name FROM channel_names") == [
        ("C1", "job-hunting")
    ]


async def test_forgetting_a_person_leaves_the_channel_names(store: Store) -> None:
    await store.set_channel_name(SLACK, "C1", "jobs")
    await store.forget_person(SLACK, "U_ASK", replacement_id=FORGOTTEN_ID, replacement_name="A")
    assert await store.channel_names(SLACK, ["C1"]) == {"C1": "jobs"}
