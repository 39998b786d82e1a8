"""qabot's buttons and form: Answer (opens the form), the form itself, and Share under /top.

Buttons are DynamicItems: their custom ids carry what a click needs, so buttons under old messages
keep working after a restart without any per-message state.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

import adapters.discord.render as render
from adapters.discord.context import ContextClient, DiscordContext
from adapters.discord.interact import Reply, actor_of, deferred, top_reply
from adapters.discord.translate import answer_button_id, jump_url, share_button_id
from bot.domain import MessageRef, PostId, PostKind

__all__ = ["AnswerButton", "AnswerForm", "ShareButton"]

log = logging.getLogger("qabot.discord")


def context_of(interaction: discord.Interaction[Any]) -> DiscordContext:
    """The context of the client a click arrived on: discord.py builds a button from its custom
    id, so the interaction's client is its only way to the core."""
    client = interaction.client
    if not isinstance(client, ContextClient):
        raise TypeError(f"qabot's buttons need a ContextClient, not {type(client).__name__}")
    return client.context


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
        max_chars = context_of(interaction).settings.limits.max_text_chars
        form = AnswerForm(self.number, max_chars=max_chars)
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
        context = context_of(interaction)
        text = self.text.value

        async def work() -> Reply:
            actor = actor_of(interaction)
            answer, question = await context.service.answer(
                author=actor, question=PostId(PostKind.QUESTION, self.number), text=text
            )
            if question.thread_key is None:
                return Reply(
                    content=f"Saved A{answer.number}, but Q{question.number} has no thread."
                )
            thread = await context.resolve_channel(int(question.thread_key))
            sent = await thread.send(
                render.answer_text(answer), allowed_mentions=discord.AllowedMentions.none()
            )
            await context.service.link_answer(answer, MessageRef(str(thread.id), str(sent.id)))
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
        context = context_of(interaction)

        async def work() -> Reply:
            actor, _, embed = await top_reply(
                interaction, context, self.window, self.tag, self.question
            )
            channel = await context.resolve_channel(interaction.channel_id)
            await channel.send(content=f"Shared by {actor.name}", embed=embed)
            return Reply(content="Shared in the channel.")

        await deferred(interaction, "share /top", work)
