"""The slash commands `/ask` and `/top` (and `/qa` from `qa`), registered on the tree.

Each handler translates the interaction in its first lines, defers (Discord's 3-second deadline)
and then works with the core through the context it was registered with; see `interact.deferred`.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from discord import app_commands

import adapters.discord.render as render
from adapters.discord.components import AnswerButton, ShareButton
from adapters.discord.context import DiscordContext
from adapters.discord.interact import (
    Reply,
    actor_of,
    deferred,
    question_number,
    split_tag_text,
    top_reply,
)
from adapters.discord.qa import qa_group, tag_autocomplete
from adapters.discord.translate import channel_ref, is_forum, is_private
from bot.domain import MessageRef, Question
from bot.errors import NotAllowed

__all__ = ["register_commands"]

log = logging.getLogger("qabot.discord")
WindowChoice = Literal["day", "week", "month", "year", "all"]


# ----------------------------------------------------------------------------- /ask
async def _post_question(context: DiscordContext, home: Any, question: Question) -> None:
    """Post the question in its home: a forum post in a forum, else a message with a thread."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(question.number))
    embed = render.question_embed(question)
    name = render.thread_name(question)
    if is_forum(home):
        wanted = set(question.tags)
        tags = [t for t in home.available_tags if t.name.lower().lstrip("#") in wanted][:5]
        post = await home.create_thread(name=name, embed=embed, view=view, applied_tags=tags)
        message = MessageRef(str(post.thread.id), str(post.message.id))
        thread_id = post.thread.id
    else:
        sent = await home.send(embed=embed, view=view)
        try:
            thread = await sent.create_thread(name=name, auto_archive_duration=10080)
        except discord.HTTPException:
            # Without its thread the post is an orphan: take it down; the caller withdraws it.
            try:
                await sent.delete()
            except discord.HTTPException:
                log.warning("could not take down the half-posted Q%d", question.number)
            raise
        message = MessageRef(str(home.id), str(sent.id))
        thread_id = thread.id
    await context.service.link_question(question, message=message, thread_key=str(thread_id))


def _check_can_post(permissions: discord.Permissions, *, forum: bool) -> None:
    """Refuse before storing anything when Discord would refuse the post (no orphan questions)."""
    needed = ["view_channel", "send_messages", "embed_links"]
    if not forum:
        needed.append("create_public_threads")
    missing = [name for name in needed if not getattr(permissions, name)]
    if missing:
        names = ", ".join(name.replace("_", " ").title() for name in missing)
        raise NotAllowed(f"I can't post questions here: a server admin needs to give me {names}.")


async def ask(
    interaction: discord.Interaction[Any],
    context: DiscordContext,
    question: str,
    tags: str | None,
    anonymous: bool,
) -> None:
    async def work() -> Reply:
        actor = actor_of(interaction)
        channel = await context.resolve_channel(interaction.channel_id)
        home = await context.resolve_home(channel)  # a thread's questions go to its channel
        _check_can_post(interaction.app_permissions, forum=is_forum(home))
        asked = await context.service.ask(
            asker=actor,
            channel=channel_ref(actor.workspace.workspace_id, home.id, is_private=is_private(home)),
            text=question,
            tags=split_tag_text(tags),
            anonymous=anonymous,
        )
        try:
            await _post_question(context, home, asked)
        except Exception:  # Discord refused or failed: no orphan Q number stays behind
            await context.service.withdraw_question(asked)
            raise
        return Reply(content=f"Posted Q{asked.number}. Answers go in its thread.")

    await deferred(interaction, "/ask", work)


# ----------------------------------------------------------------------------- /top and share
async def top(
    interaction: discord.Interaction[Any],
    context: DiscordContext,
    window: str,
    tag: str | None,
    question: str | None,
) -> None:
    async def work() -> Reply:
        number = question_number(question)
        _, query, embed = await top_reply(interaction, context, window, tag, number)
        view = discord.ui.View(timeout=None)
        view.add_item(ShareButton(query.window.value, query.tag, query.question))
        return Reply(embed=embed, view=view)

    await deferred(interaction, "/top", work)


# ----------------------------------------------------------------------------- registration
def register_commands(tree: app_commands.CommandTree[Any], context: DiscordContext) -> None:
    @tree.command(name="ask", description="Ask the community a career question")
    @app_commands.describe(
        question="Your question", tags="Tags, like: ml career-change", anonymous="Hide your name"
    )
    async def ask_command(
        interaction: discord.Interaction[Any],
        question: str,
        tags: str | None = None,
        anonymous: bool = False,
    ) -> None:
        await ask(interaction, context, question, tags, anonymous)

    @tree.command(name="top", description="The best answers, ranked by votes")
    @app_commands.describe(
        window="How far back", tag="Only this tag", question="One question, like Q12"
    )
    @app_commands.autocomplete(tag=tag_autocomplete(context))
    async def top_command(
        interaction: discord.Interaction[Any],
        window: WindowChoice = "week",
        tag: str | None = None,
        question: str | None = None,
    ) -> None:
        await top(interaction, context, window, tag, question)

    tree.add_command(qa_group(context))
