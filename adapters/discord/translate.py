"""Discord events and objects -> the core's values, at the edge and nowhere else.

Pure functions: they read discord.py objects (typed only for the checker, so importing this module
does not import discord) and return frozen values the core understands. Snowflakes become strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.domain import ChannelRef, MessageRef, UserRef, WorkspaceRef

if TYPE_CHECKING:
    import discord

__all__ = [
    "PLATFORM",
    "Reaction",
    "ReactionClear",
    "answer_button_id",
    "channel_ref",
    "emoji_key",
    "is_forum",
    "is_private",
    "is_thread",
    "jump_url",
    "reaction",
    "reaction_clear",
    "scope_channel_id",
    "share_button_id",
    "user_ref",
    "workspace",
]

PLATFORM = "discord"
_THREAD_TYPES = {10, 11, 12}  # news, public and private threads
_FORUM_TYPES = {15, 16}  # forum and media channels


@dataclass(frozen=True, slots=True)
class Reaction:
    """One person's reaction added or removed on a message: a possible vote."""

    voter: UserRef
    target: MessageRef
    emoji: str


@dataclass(frozen=True, slots=True)
class ReactionClear:
    """All reactions (or all of one emoji) removed from a message by a moderator or Discord."""

    workspace: WorkspaceRef
    target: MessageRef
    emoji: str | None


def workspace(guild_id: int | str) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, str(guild_id))


def user_ref(
    member: discord.Member | discord.User | None,
    *,
    guild_id: int | str,
    user_id: int | str | None = None,
    permissions: discord.Permissions | None = None,
) -> UserRef:
    """A person as the core sees them; Manage Messages in the channel makes a moderator.

    ``permissions`` are the resolved channel permissions an interaction carries; reaction events
    only have the member, whose guild-wide permissions stand in.
    """
    ws = workspace(guild_id)
    if member is None:  # a reaction removal carries no member and the cache may not have one
        return UserRef(ws, str(user_id))
    perms = permissions if permissions is not None else getattr(member, "guild_permissions", None)
    roles = getattr(member, "roles", ())
    return UserRef(
        ws,
        str(member.id),
        display_name=member.display_name,
        is_bot=member.bot,
        is_admin=bool(perms is not None and (perms.manage_messages or perms.administrator)),
        role_ids=tuple(str(r.id) for r in roles if not r.is_default()),
    )


def emoji_key(emoji: discord.PartialEmoji) -> str:
    """Unicode emoji as the character; custom ones as ``name:id`` so a rename keeps its weight."""
    if emoji.id is None:
        return emoji.name
    return f"{emoji.name}:{emoji.id}"


def reaction(
    event: discord.RawReactionActionEvent, *, me: int, member: discord.Member | None = None
) -> Reaction | None:
    """A reaction event as a possible vote, or None when it cannot be one (DMs, the bot itself)."""
    if event.guild_id is None or event.user_id == me:
        return None
    who = event.member if event.member is not None else member
    voter = user_ref(who, guild_id=event.guild_id, user_id=event.user_id)
    target = MessageRef(str(event.channel_id), str(event.message_id))
    return Reaction(voter, target, emoji_key(event.emoji))


def reaction_clear(
    event: discord.RawReactionClearEvent | discord.RawReactionClearEmojiEvent,
) -> ReactionClear | None:
    if event.guild_id is None:
        return None
    emoji = getattr(event, "emoji", None)
    target = MessageRef(str(event.channel_id), str(event.message_id))
    return ReactionClear(workspace(event.guild_id), target, emoji_key(emoji) if emoji else None)


def channel_ref(
    guild_id: int | str, channel_id: int | str, *, is_private: bool = False
) -> ChannelRef:
    return ChannelRef(workspace(guild_id), str(channel_id), is_private=is_private)


def is_private(channel: Any) -> bool:
    """A channel @everyone cannot see: its questions show only there (not in digests elsewhere)."""
    guild = getattr(channel, "guild", None)
    if guild is None:
        return False
    return not channel.permissions_for(guild.default_role).view_channel


def scope_channel_id(channel: Any) -> str:
    """The channel a question or ranking belongs to: a thread counts as its parent channel."""
    kind = getattr(getattr(channel, "type", None), "value", None)
    if kind in _THREAD_TYPES and getattr(channel, "parent_id", None) is not None:
        return str(channel.parent_id)
    return str(channel.id)


def is_forum(channel: Any) -> bool:
    return getattr(getattr(channel, "type", None), "value", None) in _FORUM_TYPES


def is_thread(channel: Any) -> bool:
    return getattr(getattr(channel, "type", None), "value", None) in _THREAD_TYPES


def jump_url(guild_id: int | str, message: MessageRef) -> str:
    return f"https://discord.com/channels/{guild_id}/{message.channel_id}/{message.message_id}"


# Custom ids of components: persistent across restarts, so they carry what a click needs.
_PREFIX = "qabot"


def answer_button_id(question_number: int) -> str:
    return f"{_PREFIX}:answer:{question_number}"


def share_button_id(window: str, tag: str | None, question: int | None) -> str:
    return f"{_PREFIX}:share:{window}:{tag or ''}:{question or ''}"
