"""`/qa help|search|accept|remove|recount`, and the tag autocomplete of `/top`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from adapters import discord_render as render
from adapters.discord_interact import Reply, actor_of, deferred
from adapters.discord_surfacing import add_surfacing_commands

if TYPE_CHECKING:
    from adapters.discord_client import QABotClient

__all__ = ["qa_group", "tag_autocomplete"]

log = logging.getLogger("qabot.discord")


async def tag_autocomplete(
    interaction: discord.Interaction[QABotClient], current: str
) -> list[app_commands.Choice[str]]:
    """Tags people used, starting with what was typed; an autocomplete must answer in 3 s."""
    try:
        actor = actor_of(interaction)
        # Tags questions use, most used first, then the forum's own tags nobody used yet.
        used = await interaction.client.service.known_tags(
            workspace=actor.workspace, prefix=current.lstrip("#"), limit=25
        )
        tags = list(dict.fromkeys([*used, *interaction.client.forum_tags(interaction.guild_id)]))
    except Exception:  # an autocomplete has no place to show an error: offer nothing, log why
        log.exception("tag autocomplete failed")
        return []
    wanted = current.lstrip("#").lower()
    return [app_commands.Choice(name=f"#{t}", value=t) for t in tags if t.startswith(wanted)][:25]


def qa_group() -> app_commands.Group:
    group = app_commands.Group(
        name="qa", description="Help, search and moderation for the Q&A board"
    )

    @group.command(name="help", description="How the Q&A board works")
    async def help_command(interaction: discord.Interaction[QABotClient]) -> None:
        async def work() -> Reply:
            return Reply(content=render.HELP)

        await deferred(interaction, "/qa help", work)

    @group.command(name="search", description="Find questions and answers by words")
    @app_commands.describe(words="Words to look for")
    async def search_command(interaction: discord.Interaction[QABotClient], words: str) -> None:
        async def work() -> Reply:
            actor = actor_of(interaction)
            client = interaction.client
            home = await client.resolve_home(await client.resolve_channel(interaction.channel_id))
            hits = await client.service.search(
                workspace=actor.workspace, text=words, seen_from=str(home.id)
            )
            return Reply(embed=render.search_embed(actor.workspace.workspace_id, words, hits))

        await deferred(interaction, "/qa search", work)

    @group.command(name="accept", description="Accept an answer to your question")
    @app_commands.describe(answer="The answer's id, like A7")
    async def accept_command(interaction: discord.Interaction[QABotClient], answer: str) -> None:
        async def work() -> Reply:
            accepted, question = await interaction.client.service.accept(
                actor=actor_of(interaction), answer=answer
            )
            return Reply(content=f"Accepted A{accepted.number} for Q{question.number}. ✅")

        await deferred(interaction, "/qa accept", work)

    @group.command(name="remove", description="Moderators: remove a question or an answer")
    @app_commands.describe(post="The id, like Q12 or A7")
    async def remove_command(interaction: discord.Interaction[QABotClient], post: str) -> None:
        async def work() -> Reply:
            removed = await interaction.client.service.remove(
                actor=actor_of(interaction), post=post
            )
            return Reply(content=f"Removed {removed}: it no longer shows or counts.")

        await deferred(interaction, "/qa remove", work)

    @group.command(name="recount", description="Moderators: rebuild every score from the votes")
    async def recount_command(interaction: discord.Interaction[QABotClient]) -> None:
        async def work() -> Reply:
            changed = await interaction.client.service.recount(actor=actor_of(interaction))
            return Reply(content=f"Recounted: {changed} posts corrected.")

        await deferred(interaction, "/qa recount", work)

    add_surfacing_commands(group)
    return group
