"""Headlines on every store: set, replaced, cleared, read per workspace, deleted by forget-me."""

from __future__ import annotations

from bot.ports import Store
from bot.replies import FORGOTTEN_ID
from tests.storage.builders import DISCORD, SLACK


async def test_a_headline_set_is_read_back_for_that_person(store: Store) -> None:
    await store.set_headline(SLACK, "U_ME", "Staff engineer at Acme")
    found = await store.headlines(SLACK, ["U_ME", "U_OTHER"])
    assert found == {"U_ME": "Staff engineer at Acme"}


async def test_setting_a_headline_again_replaces_it(store: Store) -> None:
    await store.set_headline(SLACK, "U_ME", "Engineer")
    await store.set_headline(SLACK, "U_ME", "Engineering manager")
    assert await store.headlines(SLACK, ["U_ME"]) == {"U_ME": "Engineering manager"}


async def test_a_headline_belongs_to_one_workspace(store: Store) -> None:
    await store.set_headline(SLACK, "U_ME", "Engineer")
    assert await store.headlines(DISCORD, ["U_ME"]) == {}


async def test_clearing_a_headline_removes_it_and_says_there_was_one(store: Store) -> None:
    await store.set_headline(SLACK, "U_ME", "Engineer")
    assert await store.set_headline(SLACK, "U_ME", None) is True
    assert await store.headlines(SLACK, ["U_ME"]) == {}
    assert await store.set_headline(SLACK, "U_ME", None) is False


async def test_forgetting_a_person_deletes_their_headline(store: Store) -> None:
    await store.set_headline(SLACK, "U_ME", "Engineer")
    await store.set_headline(SLACK, "U_OTHER", "Recruiter")
    await store.forget_person(SLACK, "U_ME", replacement_id=FORGOTTEN_ID, replacement_name="Anon")
    assert await store.headlines(SLACK, ["U_ME", "U_OTHER"]) == {"U_OTHER": "Recruiter"}
