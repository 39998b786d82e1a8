"""Slash commands, buttons and the answer form: each answers Discord within 3 s, then works.

Every interaction is deferred first (an ephemeral "thinking..."), so store writes and Discord calls
that follow may take their time; the deferred reply is then edited into the result or into the
friendly sentence of a QAError. Nothing below the first lines of a handler sees a discord.py object
except to post messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from adapters import discord_render as render
from adapters.discord_translate import (
    answer_button_id,
    channel_ref,
    is_forum,
    is_thread,
    jump_url,
    scope_channel_id,
    share_button_id,
    user_ref,
)
from bot.domain import MessageRef, PostId, PostKind, Question, TopQuery, UserRef, Window
from bot.errors import InvalidInput, QAError
from bot.text_rules import normalize_tag

if TYPE_CHECKING:
    from adapters.discord_client import QABotClient

__all__ = ["AnswerButton", "ShareButton", "register_commands"]

log = logging.getLogger("qabot.discord")
WindowChoice = Literal["day", "week", "month", "year", "all"]
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
        log.info("%s by %s refused: %s", what, interaction.user.id, error.message)
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


def _actor(interaction: discord.Interaction[Any]) -> UserRef:
    if interaction.guild_id is None:
        raise InvalidInput("qabot works in servers, not in direct messages.")
    return user_ref(
        interaction.user, guild_id=interaction.guild_id, permissions=interaction.permissions
    )


def _question_number(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    post_id = PostId.parse(text)
    if post_id is None or post_id.kind is not PostKind.QUESTION:
        raise InvalidInput(f"{text.strip()[:20]!r} is not a question id; they look like Q12.")
    return post_id.number


def _tags(text: str | None) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text or "") if t]


# ----------------------------------------------------------------------------- /ask
async def _post_question(client: QABotClient, channel: Any, question: Question) -> None:
    """Post the question where it was asked: a forum post in a forum, else a message + thread."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(question.number))
    embed = render.question_embed(question)
    forum = channel if is_forum(channel) else getattr(channel, "parent", None)
    if forum is not None and is_forum(forum):
        wanted = set(question.tags)
        tags = [t for t in forum.available_tags if t.name.lower().lstrip("#") in wanted][:5]
        post = await forum.create_thread(
            name=render.thread_name(question), embed=embed, view=view, applied_tags=tags
        )
        message = MessageRef(str(post.thread.id), str(post.message.id))
        await client.service.link_question(
            question, message=message, thread_key=str(post.thread.id)
        )
        return
    if is_thread(channel):  # a thread cannot hold threads: ask in its channel
        channel = channel.parent
    sent = await channel.send(embed=embed, view=view)
    thread = await sent.create_thread(
        name=render.thread_name(question), auto_archive_duration=10080
    )
    message = MessageRef(str(channel.id), str(sent.id))
    await client.service.link_question(question, message=message, thread_key=str(thread.id))


async def ask(
    interaction: discord.Interaction[QABotClient], question: str, tags: str | None, anonymous: bool
) -> None:
    client = interaction.client

    async def work() -> Reply:
        actor = _actor(interaction)
        channel = await client.resolve_channel(interaction.channel_id)
        home = channel if is_forum(channel) else await client.resolve_home(channel)
        asked = await client.service.ask(
            asker=actor,
            channel=channel_ref(actor.workspace.workspace_id, home.id),
            text=question,
            tags=_tags(tags),
            anonymous=anonymous,
        )
        await _post_question(client, channel, asked)
        return Reply(content=f"Posted Q{asked.number}. Answers go in its thread.")

    await deferred(interaction, "/ask", work)


# ----------------------------------------------------------------------------- /top and share
async def top_reply(
    interaction: discord.Interaction[QABotClient],
    window: str,
    tag: str | None,
    question: int | None,
) -> tuple[UserRef, TopQuery, discord.Embed]:
    client = interaction.client
    actor = _actor(interaction)
    channel = await client.resolve_channel(interaction.channel_id)
    tag_key = normalize_tag(tag) if tag else None
    if tag and tag_key is None:
        raise InvalidInput(f"{tag[:30]!r} is not a tag; tags look like #ml or career-change.")
    query = TopQuery(
        channel_id=None if question is not None else scope_channel_id(channel),
        window=Window(window),
        tag=tag_key,
        question=question,
        limit=client.settings.limits.top_size,
    )
    ranked = await client.service.top(workspace=actor.workspace, query=query)
    return actor, query, render.top_embed(actor.workspace.workspace_id, ranked, query)


async def top(
    interaction: discord.Interaction[QABotClient],
    window: str,
    tag: str | None,
    question: str | None,
) -> None:
    async def work() -> Reply:
        number = _question_number(question)
        _, query, embed = await top_reply(interaction, window, tag, number)
        view = discord.ui.View(timeout=None)
        view.add_item(ShareButton(query.window.value, query.tag, query.question))
        return Reply(embed=embed, view=view)

    await deferred(interaction, "/top", work)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qabot:answer:(?P<number>\d+)"
):
    """The Answer button under a question: opens the form (works without Message Content)."""

    def __init__(self, number: int) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Answer", style=discord.ButtonStyle.primary, custom_id=answer_button_id(number)
        )
        super().__init__(button)
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["number"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        form = AnswerForm(self.number, max_chars=interaction.client.settings.limits.max_text_chars)
        try:  # a form is the reply itself: it cannot be deferred, and needs no store call
            await interaction.response.send_modal(form)
        except discord.NotFound:
            log.warning("Answer button: the interaction expired before the form opened")


class AnswerForm(discord.ui.Modal):
    def __init__(self, number: int, *, max_chars: int) -> None:
        # A fresh custom id per form: discord.py keys open forms by it, and two people may answer.
        super().__init__(
            title=f"Answer Q{number}", timeout=900, custom_id=f"qabot:form:{number}:{id(self)}"
        )
        self.number = number
        self.text: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
            label="Your answer", style=discord.TextStyle.paragraph, max_length=min(max_chars, 4000)
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        client: QABotClient = interaction.client
        text = self.text.value

        async def work() -> Reply:
            actor = _actor(interaction)
            answer, question = await client.service.answer(
                author=actor, question=PostId(PostKind.QUESTION, self.number), text=text
            )
            if question.thread_key is None:
                return Reply(
                    content=f"Saved A{answer.number}, but Q{question.number} has no thread."
                )
            thread = await client.resolve_channel(int(question.thread_key))
            sent = await thread.send(
                render.answer_text(answer), allowed_mentions=discord.AllowedMentions.none()
            )
            await client.service.link_answer(answer, MessageRef(str(thread.id), str(sent.id)))
            link = jump_url(actor.workspace.workspace_id, MessageRef(str(thread.id), str(sent.id)))
            return Reply(content=f"Posted your answer A{answer.number}: {link}")

        await deferred(interaction, "answer form", work)


class ShareButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"qabot:share:(?P<window>[a-z]+):(?P<tag>[\w-]*):(?P<question>\d*)",
):
    """Under an ephemeral /top: posts the same ranking in the channel for everyone."""

    def __init__(self, window: str, tag: str | None, question: int | None) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Share in channel",
            style=discord.ButtonStyle.secondary,
            custom_id=share_button_id(window, tag, question),
        )
        super().__init__(button)
        self.window, self.tag, self.question = window, tag, question

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ShareButton:
        question = int(match["question"]) if match["question"] else None
        return cls(match["window"], match["tag"] or None, question)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> Reply:
            actor, _, embed = await top_reply(interaction, self.window, self.tag, self.question)
            channel = await interaction.client.resolve_channel(interaction.channel_id)
            await channel.send(content=f"Shared by {actor.name}", embed=embed)
            return Reply(content="Shared in the channel.")

        await deferred(interaction, "share /top", work)


# ----------------------------------------------------------------------------- registration
def register_commands(tree: app_commands.CommandTree[Any]) -> None:
    from adapters.discord_qa import qa_group, tag_autocomplete

    @tree.command(name="ask", description="Ask the community a career question")
    @app_commands.describe(
        question="Your question", tags="Tags, like: ml career-change", anonymous="Hide your name"
    )
    async def ask_command(
        interaction: discord.Interaction[QABotClient],
        question: str,
        tags: str | None = None,
        anonymous: bool = False,
    ) -> None:
        await ask(interaction, question, tags, anonymous)

    @tree.command(name="top", description="The best answers, ranked by votes")
    @app_commands.describe(
        window="How far back", tag="Only this tag", question="One question, like Q12"
    )
    @app_commands.autocomplete(tag=tag_autocomplete)
    async def top_command(
        interaction: discord.Interaction[QABotClient],
        window: WindowChoice = "week",
        tag: str | None = None,
        question: str | None = None,
    ) -> None:
        await top(interaction, window, tag, question)

    tree.add_command(qa_group())
