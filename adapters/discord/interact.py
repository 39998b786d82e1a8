"""Interaction plumbing shared by qabot's commands and components: answer in 3 s, then work.

Every interaction is deferred first (an ephemeral "thinking..."), so store writes and Discord calls
that follow may take their time; the deferred reply is then edited into the result, or into the
friendly sentence of a QAError. A stack trace never reaches the chat: it goes to the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

import adapters.discord.render as render
from adapters.discord.context import DiscordContext
from adapters.discord.translate import scope_channel_id, user_ref
from bot.domain import PostId, PostKind, TopQuery, UserRef, Window
from bot.errors import InvalidInput, QAError
from bot.text_rules import normalize_tag

__all__ = ["Reply", "actor_of", "deferred", "question_number", "split_tag_text", "top_reply"]

log = logging.getLogger("qabot.discord")
_SORRY = "Sorry, something went wrong on my side; it is logged. Please try again in a moment."
_NO_ACCESS = (
    "I can't post here: give me View Channel, Send Messages, Embed Links and Create Public "
    "Threads in this channel (or Send Messages in this forum)."
)


@dataclass(frozen=True, slots=True)
class Reply:
    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None


Work = Callable[[], Awaitable[Reply]]


async def deferred(interaction: discord.Interaction[Any], what: str, work: Work) -> None:
    """Defer at once (Discord's 3-second deadline), then run ``work`` and show its reply."""
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.NotFound:
        log.warning("%s: the interaction expired before it was answered; nothing was done", what)
        return
    try:
        reply = await work()
    except QAError as error:
        # No user id here: the asker of an anonymous question must not reach the logs either.
        log.info("%s refused: %s", what, error.message)
        reply = Reply(content=error.message)
    except discord.Forbidden:
        log.warning("%s: missing permissions in channel %s", what, interaction.channel_id)
        reply = Reply(content=_NO_ACCESS)
    except Exception:
        log.exception("%s failed", what)
        reply = Reply(content=_SORRY)
    edits: dict[str, Any] = {"content": reply.content, "embed": reply.embed}
    if reply.view is not None:
        edits["view"] = reply.view
    try:
        await interaction.edit_original_response(**edits)
    except discord.HTTPException:
        log.exception("%s: could not show the reply", what)


def actor_of(interaction: discord.Interaction[Any]) -> UserRef:
    if interaction.guild_id is None:
        raise InvalidInput("qabot works in servers, not in direct messages.")
    return user_ref(
        interaction.user, guild_id=interaction.guild_id, permissions=interaction.permissions
    )


def question_number(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    post_id = PostId.parse(text)
    if post_id is None or post_id.kind is not PostKind.QUESTION:
        raise InvalidInput(f"{text.strip()[:20]!r} is not a question id; they look like Q12.")
    return post_id.number


def split_tag_text(text: str | None) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text or "") if t]


async def top_reply(
    interaction: discord.Interaction[Any],
    context: DiscordContext,
    window: str,
    tag: str | None,
    question: int | None,
) -> tuple[UserRef, TopQuery, discord.Embed]:
    actor = actor_of(interaction)
    channel = await context.resolve_channel(interaction.channel_id)
    home = await context.resolve_home(channel)
    tag_key = normalize_tag(tag) if tag else None
    if tag and tag_key is None:
        raise InvalidInput(f"{tag[:30]!r} is not a tag; tags look like #ml or career-change.")
    query = TopQuery(
        channel_id=None if question is not None else scope_channel_id(channel),
        window=Window(window),
        tag=tag_key,
        question=question,
        limit=context.settings.limits.top_size,
    )
    ranked = await context.service.top(
        workspace=actor.workspace, query=query, seen_from=str(home.id)
    )
    embed = render.top_embed(
        actor.workspace.workspace_id, ranked, query, channel_name=f"#{home.name}"
    )
    return actor, query, embed
