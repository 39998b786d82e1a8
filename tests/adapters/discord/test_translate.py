"""Pure translation of Discord events into the core's values, on the recorded payloads."""

from __future__ import annotations

from types import SimpleNamespace

import discord

import adapters.discord.translate as tr
from bot.domain import MessageRef, WorkspaceRef

from .payloads import load


def raw_reaction(name: str, event_type: str = "REACTION_ADD") -> discord.RawReactionActionEvent:
    data = load(name)
    emoji = discord.PartialEmoji.from_dict(data["emoji"])
    return discord.RawReactionActionEvent(data, emoji, event_type)  # type: ignore[arg-type]


def test_unicode_reaction_becomes_a_vote_on_the_message() -> None:
    vote = tr.reaction(raw_reaction("message_reaction_add"), me=1)
    assert vote is not None
    assert vote.emoji == "👍"
    assert vote.target == MessageRef("1575623896218992644", "1575623896223186950")
    assert vote.voter.workspace == WorkspaceRef("discord", "1575623896218992643")
    assert vote.voter.user_id == "1575623896218992642"


def test_custom_emoji_key_is_name_and_id() -> None:
    vote = tr.reaction(raw_reaction("message_reaction_add_custom_emoji"), me=1)
    assert vote is not None and vote.emoji == "upvote:1200000000000000001"


def test_the_bots_own_reaction_is_not_a_vote() -> None:
    event = raw_reaction("message_reaction_add")
    assert tr.reaction(event, me=event.user_id) is None


def test_removal_without_member_still_names_the_voter() -> None:
    vote = tr.reaction(raw_reaction("message_reaction_remove", "REACTION_REMOVE"), me=1)
    assert vote is not None
    assert vote.voter.user_id == "1575623896218992642" and not vote.voter.is_bot


def test_a_thread_belongs_to_its_parent_channel() -> None:
    thread = SimpleNamespace(id=5, parent_id=4, type=discord.ChannelType.public_thread)
    channel = SimpleNamespace(id=4, parent_id=None, type=discord.ChannelType.text)
    assert tr.scope_channel_id(thread) == "4" and tr.scope_channel_id(channel) == "4"
    assert tr.is_thread(thread) and not tr.is_thread(channel)


def test_jump_url_points_at_the_message() -> None:
    url = tr.jump_url("1", MessageRef("2", "3"))
    assert url == "https://discord.com/channels/1/2/3"


def test_custom_ids_survive_a_round_trip_through_the_button_templates() -> None:
    from adapters.discord.components import AnswerButton, ShareButton

    assert AnswerButton(1).template.fullmatch(tr.answer_button_id(12))
    match = ShareButton("day", None, None).template.fullmatch(
        tr.share_button_id("week", "career-change", None)
    )
    assert match is not None and match["tag"] == "career-change" and match["question"] == ""
