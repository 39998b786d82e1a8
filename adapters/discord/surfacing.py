"""Discord side of surfacing: embeds for leaderboards, waiting questions, digests and notices, the
`/qa leaderboard|unanswered|mydata|forgetme|rejoin|headline` subcommands, and the Discord Poster.

The subcommands answer ephemerally (deferred first: Discord's 3-second deadline); a notice goes in
the question's thread, a digest in its channel. No discord object passes into the core.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord.context import DiscordContext
from adapters.discord.interact import Reply, actor_of, deferred
from adapters.discord.render import question_embed
from adapters.discord.translate import jump_url, scope_channel_id
from bot.commands import window_title
from bot.domain import Question, WorkspaceRef
from bot.headlines import HeadlineChanged
from bot.posters import Notice
from bot.replies import (
    Digest,
    ForgetPrompt,
    Forgotten,
    HotAnswer,
    Leaderboard,
    PersonalExport,
    Rejoined,
    SimilarQuestions,
    Unanswered,
    forgotten_sentence,
    rejoined_sentence,
)
from bot.surfacing_verbs import SurfacingReply, run_surfacing_verb
from bot.text_rules import excerpt
from bot.web_verbs import WebReply

__all__ = ["DiscordPoster", "add_surfacing_commands", "digest_embed", "notice_embed"]

log = logging.getLogger("qabot.discord")

COLOUR = discord.Colour.gold()
_CHUNK = 1900  # a message holds 2,000 characters; the code fence takes a few
WindowChoice = Literal["day", "week", "month", "year", "all"]
WebAction = Literal["hide", "show", "names"]


def _link(guild_id: str, question: Question) -> str:
    if question.message is None:
        return f"Q{question.number}"
    return f"[Q{question.number}]({jump_url(guild_id, question.message)})"


def _waiting(guild_id: str, question: Question) -> str:
    asked = question.created_at.strftime("%Y-%m-%d")
    return f"{_link(guild_id, question)} {excerpt(question.text, 120)} ({asked})"


def surfacing_reply(reply: SurfacingReply, guild_id: str) -> Reply:
    if isinstance(reply, Leaderboard):
        embed = discord.Embed(title=f"Leaderboard, {window_title(reply.window)}", colour=COLOUR)
        lines = [
            f"**{rank}.** {x.name} {x.net:+d} (↑{x.ups} ↓{x.downs})"
            + (f" · {x.accepted} accepted" if x.accepted else "")
            for rank, x in enumerate(reply.leaders, start=1)
        ]
        embed.description = "\n".join(lines) or "No votes on answers yet. Try `window:all`."
        return Reply(embed=embed)
    if isinstance(reply, Unanswered):
        title = f"Waiting for an answer, {window_title(reply.window)} (oldest first)"
        embed = discord.Embed(title=title, colour=COLOUR)
        lines = [_waiting(guild_id, q) for q in reply.questions]
        embed.description = excerpt_lines(lines) or "None: everyone got an answer."
        return Reply(embed=embed)
    if isinstance(reply, ForgetPrompt):
        return Reply(
            content="This removes every vote you made here and shows your questions and answers "
            "as Anonymous, for good. Run `/qa forgetme confirm:True` to go ahead."
        )
    if isinstance(reply, Forgotten):
        return Reply(content=forgotten_sentence(reply, rejoin="`/qa rejoin`"))
    if isinstance(reply, Rejoined):
        return Reply(content=rejoined_sentence(reply))
    if isinstance(reply, HeadlineChanged | WebReply):
        return Reply(content=reply.sentence)
    assert isinstance(reply, PersonalExport)
    return Reply(content=reply.summary)


def excerpt_lines(lines: list[str], limit: int = 4000) -> str:
    """Lines joined up to an embed description's 4,096 characters."""
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > limit:
            break
        kept.append(line)
    return "\n".join(kept)


def export_chunks(export: PersonalExport) -> list[str]:
    body = export.json_text
    return [f"```json\n{body[i : i + _CHUNK]}\n```" for i in range(0, len(body), _CHUNK)]


def notice_embed(notice: Notice, guild_id: str) -> discord.Embed:
    if isinstance(notice, SimilarQuestions):
        embed = discord.Embed(title="Similar questions asked before", colour=COLOUR)
        embed.description = "\n".join(
            f"{_link(guild_id, s.question)} {s.question.ups - s.question.downs:+d} · "
            f"{s.question.answer_count} answer(s) · {excerpt(s.question.text, 120)}"
            f" — {s.question.shown_byline}"
            for s in notice.similar
        )
        return embed
    assert isinstance(notice, HotAnswer)
    answer = notice.answer
    embed = discord.Embed(
        title=f"🔥 A{answer.number} reached {answer.score:+d}", colour=COLOUR,
        description=f"{excerpt(answer.text, 300)}\n— {answer.author_name}",
    )  # fmt: skip
    return embed


def digest_embed(digest: Digest, guild_id: str) -> discord.Embed:
    embed = discord.Embed(title=digest.title, colour=COLOUR)
    for ranked in digest.top[:20]:
        answer, question = ranked.answer, ranked.question
        badge = " ✅" if ranked.accepted else ""
        embed.add_field(
            name=excerpt(f"#{ranked.rank} · {answer.score:+d}{badge} · {answer.byline}", 256),
            value=f"{excerpt(answer.text, 300)}\non {_link(guild_id, question)}"
            + (f" · [on the web]({ranked.page_url})" if ranked.page_url else ""),
            inline=False,
        )
    if digest.waiting:
        lines = [_waiting(guild_id, q) for q in digest.waiting]
        embed.add_field(
            name="Still waiting for an answer", value=excerpt_lines(lines, 1000), inline=False
        )
    return embed


class DiscordPoster:
    def __init__(self, context: DiscordContext) -> None:
        self._context = context

    async def post_digest(self, workspace: WorkspaceRef, digest: Digest) -> None:
        channel = await self._context.resolve_channel(int(digest.channel_id))
        await channel.send(embed=digest_embed(digest, workspace.workspace_id))

    async def post_notice(self, question: Question, notice: Notice) -> None:
        where = question.thread_key or (question.message and question.message.channel_id)
        if not where:
            log.info("Q%d has no Discord thread to post in", question.number)
            return
        channel = await self._context.resolve_channel(int(where))
        await channel.send(embed=notice_embed(notice, question.workspace.workspace_id))

    async def refresh_question(self, question: Question) -> None:
        if question.message is None:
            return
        channel = await self._context.resolve_channel(int(question.message.channel_id))
        message = channel.get_partial_message(int(question.message.message_id))
        await message.edit(embed=question_embed(question))


async def _run(
    interaction: discord.Interaction[Any], context: DiscordContext, verb: str, rest: str
) -> Reply:
    actor = actor_of(interaction)
    channel = await context.resolve_channel(interaction.channel_id)
    reply = await run_surfacing_verb(
        context.service, verb=verb, rest=rest, user=actor,
        channel_id=scope_channel_id(channel),
    )  # fmt: skip
    if isinstance(reply, PersonalExport):
        for chunk in export_chunks(reply):
            await interaction.followup.send(content=chunk, ephemeral=True)
    return surfacing_reply(reply, actor.workspace.workspace_id)


def add_surfacing_commands(group: app_commands.Group, context: DiscordContext) -> None:
    def work(
        interaction: discord.Interaction[Any], verb: str, rest: str
    ) -> Callable[[], Awaitable[Reply]]:
        return lambda: _run(interaction, context, verb, rest)

    @group.command(name="leaderboard", description="People by the votes their answers received")
    @app_commands.describe(window="How far back (default: this week)")
    async def leaderboard(
        interaction: discord.Interaction[Any], window: WindowChoice = "week"
    ) -> None:
        await deferred(interaction, "/qa leaderboard", work(interaction, "leaderboard", window))

    @group.command(name="unanswered", description="Questions nobody answered yet, oldest first")
    @app_commands.describe(window="How far back (default: all time)")
    async def unanswered(
        interaction: discord.Interaction[Any], window: WindowChoice = "all"
    ) -> None:
        await deferred(interaction, "/qa unanswered", work(interaction, "unanswered", window))

    @group.command(name="mydata", description="Everything the board keeps about you, as JSON")
    async def mydata(interaction: discord.Interaction[Any]) -> None:
        await deferred(interaction, "/qa mydata", work(interaction, "mydata", ""))

    @group.command(name="forgetme", description="Remove your votes and your name from your posts")
    @app_commands.describe(confirm="True to really do it; without it, only see what happens")
    async def forgetme(interaction: discord.Interaction[Any], confirm: bool = False) -> None:
        rest = "confirm" if confirm else ""
        await deferred(interaction, "/qa forgetme", work(interaction, "forgetme", rest))

    @group.command(name="rejoin", description="Count your reactions again after forgetme")
    async def rejoin(interaction: discord.Interaction[Any]) -> None:
        await deferred(interaction, "/qa rejoin", work(interaction, "rejoin", ""))

    @group.command(name="headline", description="What lists show next to your name")
    @app_commands.describe(text="Who you are, 80 characters at most; clear removes it")
    async def headline(interaction: discord.Interaction[Any], text: str) -> None:
        await deferred(interaction, "/qa headline", work(interaction, "headline", text))

    @group.command(name="web", description="Hide or show a question on the web, or your name")
    @app_commands.describe(
        action="hide or show a question; names: whether your name shows",
        value="A question id like Q12, or on/off for names",
    )
    async def web(interaction: discord.Interaction[Any], action: WebAction, value: str) -> None:
        await deferred(interaction, "/qa web", work(interaction, "web", f"{action} {value}"))

    @group.command(name="link", description="A question's page on the web view")
    @app_commands.describe(question="A question id, like Q12")
    async def link(interaction: discord.Interaction[Any], question: str) -> None:
        await deferred(interaction, "/qa link", work(interaction, "link", question))
