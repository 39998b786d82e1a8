"""The core records the channel names adapters see: once per name, never a private channel's,
never a name that is not one."""

from __future__ import annotations

from bot.domain import ChannelRef
from tests.conftest import CHANNEL, TEAM, Board


async def _names(board: Board) -> dict[str, str]:
    found = await board.service.store.channel_names(TEAM, [CHANNEL, "CPRIV"])
    return dict(found)


async def test_a_channels_name_is_recorded_without_its_hash(board: Board) -> None:
    await board.service.channel_names.saw(ChannelRef(TEAM, CHANNEL), "#career-advice")
    assert await _names(board) == {CHANNEL: "career-advice"}


async def test_a_name_already_recorded_is_not_written_again_but_a_rename_is(
    board: Board,
) -> None:
    names = board.service.channel_names
    await names.saw(ChannelRef(TEAM, CHANNEL), "jobs")
    board.execute("UPDATE channel_names SET name = 'changed-behind-our-back'")
    await names.saw(ChannelRef(TEAM, CHANNEL), "jobs")
    assert await _names(board) == {CHANNEL: "changed-behind-our-back"}
    await names.saw(ChannelRef(TEAM, CHANNEL), "job-hunting")
    assert await _names(board) == {CHANNEL: "job-hunting"}


async def test_a_private_channels_name_is_never_recorded(board: Board) -> None:
    await board.service.channel_names.saw(ChannelRef(TEAM, "CPRIV", is_private=True), "secret")
    assert await _names(board) == {}


async def test_what_is_not_a_name_is_not_recorded(board: Board) -> None:
    for junk in (None, "", "#", "  ", "x" * 101, "two\nlines"):
        await board.service.channel_names.saw(ChannelRef(TEAM, CHANNEL), junk)
    assert await _names(board) == {}
