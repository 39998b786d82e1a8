"""`/qa help|search|accept|remove|recount`, and the tag autocomplete of `/top`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

import adapters.discord.render as render
from adapters.discord.context import DiscordContext
from adapters.discord.interact import Reply, actor_of, deferred
from adapters.discord.surfacing import add_surfacing_commands
from bot.replies import accepted_sentence, removed_sentence

__all__ = ["qa_group", "tag_autocomplete"]

log = logging.getLogger("qabot.discord")


Choices = list[app_commands.Choice[str]]


def tag_autocomplete(
    context: DiscordContext,
) -> Callable[[discord.Interaction[Any], str], Coroutine[Any, Any, Choices]]:
    """The autocomplete of a tag option, on the context's store and forums."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> Choices:
        """Tags people used, starting with what was typed; an autocomplete must answer in 3 s."""
        try:
            actor = actor_of(interaction)
            # Tags questions use, most used first, then the forum's own tags nobody used yet.
            used = await context.service.known_tags(
                workspace=actor.workspace, prefix=current.lstrip("#"), limit=25
            )
            tags = list(dict.fromkeys([*used, *context.forum_tags(interaction.guild_id)]))
        except Exception:  # an autocomplete has no place to show an error: offer nothing, log why
            log.exception("tag autocomplete failed")
            return []
        wanted = current.lstrip("#").lower()
        choices = [app_commands.Choice(name=f"#{t}", value=t) for t in tags]
        return [choice for choice in choices if choice.value.startswith(wanted)][:25]

    return complete


def qa_group(context: DiscordContext) -> app_commands.Group:
    group = app_commands.Group(
        name="qa", description="Help, search and moderation for the Q&A board"
    )

    @group.command(name="help", description="How the Q&A board works")
    async def help_command(interaction: discord.Interaction[Any]) -> None:
        async def work() -> Reply:
            return Reply(content=render.HELP)

        await deferred(interaction, "/qa help", work)

    @group.command(name="search", description="Find questions and answers by words")
    @app_commands.describe(words="Words to look for")
    async def search_command(interaction: discord.Interaction[Any], words: str) -> None:
        async def work() -> Reply:
            actor = actor_of(interaction)
            channel = await context.resolve_channel(interaction.channel_id)
            home = await context.resolve_home(channel)
            hits = await context.service.search(
                workspace=actor.workspace, text=words, seen_from=str(home.id)
            )
            return Reply(embed=render.search_embed(actor.workspace.workspace_id, words, hits))

        await deferred(interaction, "/qa search", work)

    @group.command(name="accept", description="Accept an answer to your question")
    @app_commands.describe(answer="The answer's id, like A7")
    async def accept_command(interaction: discord.Interaction[Any], answer: str) -> None:
        async def work() -> Reply:
            accepted, question = await context.service.accept(
                actor=actor_of(interaction), answer=answer
            )
            return Reply(content=accepted_sentence(accepted.post_id, question.post_id))

        await deferred(interaction, "/qa accept", work)

    @group.command(name="remove", description="Moderators: remove a question or an answer")
    @app_commands.describe(post="The id, like Q12 or A7")
    async def remove_command(interaction: discord.Interaction[Any], post: str) -> None:
        async def work() -> Reply:
            removed = await context.service.remove(actor=actor_of(interaction), post=post)
            return Reply(content=removed_sentence(removed))

        await deferred(interaction, "/qa remove", work)

    @group.command(name="recount", description="Moderators: rebuild every score from the votes")
    async def recount_command(interaction: discord.Interaction[Any]) -> None:
        async def work() -> Reply:
            changed = await context.service.recount(actor=actor_of(interaction))
            return Reply(content=f"Recounted: {changed} posts corrected.")

        await deferred(interaction, "/qa recount", work)

    add_surfacing_commands(group, context)
    return group
