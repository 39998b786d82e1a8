"""The core's values -> Discord embeds and messages; never shows who asked anonymously."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.translate import jump_url
from bot.commands import top_title
from bot.domain import Answer, Question, RankedAnswer, SearchHit, TopQuery
from bot.snippet_text import snippet_text
from bot.text_rules import excerpt, query_echo

__all__ = [
    "HELP",
    "answer_text",
    "question_embed",
    "search_embed",
    "thread_name",
    "top_embed",
]

COLOUR = discord.Colour.blurple()
HELP = "\n".join(
    [
        "**qabot**: ask career questions, answer them in the thread, vote with reactions.",
        "`/ask question:<text> [tags] [anonymous]` posts a question with a thread for answers.",
        "Answer by writing in the question's thread, or with the **Answer** button.",
        "Vote on a question or an answer with 👍 / ⬆️ (up) or 👎 / ⬇️ (down).",
        "The asker accepts an answer by reacting ✅ (or `/qa accept answer:A7`).",
        "`/top [window] [tag] [question]` shows the best answers; `/qa search` finds old ones.",
        "Moderators: `/qa remove post:Q12` and `/qa recount`.",
        "`/qa leaderboard` and `/qa unanswered` surface people and questions; `/qa mydata` sends"
        " you your data, `/qa forgetme` removes your votes and your name from your posts,"
        " and `/qa rejoin` lets your reactions count again.",
        "`/qa headline text:<who you are>` shows it next to your name in lists"
        " (`text:clear` removes it).",
        "`/qa link question:Q12` gives a question's web page; `/qa web action:hide value:Q12`"
        " keeps it off the web, `action:names value:off` leaves your name off.",
    ]
)


def thread_name(question: Question) -> str:
    return excerpt(f"Q{question.number}: {question.text}", 100)  # Discord allows 100 characters


def question_embed(question: Question) -> discord.Embed:
    embed = discord.Embed(title=f"Q{question.number}", description=question.text, colour=COLOUR)
    embed.set_author(name=f"Asked by {question.shown_asker}")
    footer = "Answer in the thread or with the button · vote with 👍 / 👎"
    if question.tags:
        footer = " ".join(f"#{tag}" for tag in question.tags) + " · " + footer
    embed.set_footer(text=footer)
    return embed


def answer_text(answer: Answer) -> str:
    """An answer the bot posts for someone (from the form): attributed to them, not to the bot."""
    return f"**A{answer.number}** from **{answer.author_name}**:\n{answer.text}"


def top_embed(
    guild_id: int | str, ranked: Sequence[RankedAnswer], query: TopQuery, *, channel_name: str
) -> discord.Embed:
    """The /top ranking, titled as on every platform (bot.commands.top_title)."""
    embed = discord.Embed(title=top_title(query, channel_name=channel_name), colour=COLOUR)
    if not ranked:
        embed.description = "No answers here yet. Ask with `/ask`, answer in a question's thread."
        return embed
    for item in ranked[:25]:  # an embed holds at most 25 fields
        answer, question = item.answer, item.question
        badge = " ✅ accepted" if item.accepted else ""
        name = f"#{item.rank} · {answer.score:+d}{badge} · A{answer.number} by {answer.byline}"
        link = (
            f"[Jump to the answer]({jump_url(guild_id, answer.message)})" if answer.message else ""
        )
        where = f"{link} · Q{question.number}: {excerpt(question.text, 120)}".lstrip(" ·")
        if item.page_url:
            where += f" · [on the web]({item.page_url})"
        value = f"{excerpt(answer.text, 300)}\n{where}"  # ~550 characters, under the 1024 limit
        embed.add_field(name=excerpt(name, 256), value=value, inline=False)
    return embed


def _bold(text: str) -> str:
    return f"**{text}**"


def search_embed(guild_id: int | str, words: str, hits: Sequence[SearchHit]) -> discord.Embed:
    embed = discord.Embed(title=f"Search: {query_echo(words)}", colour=COLOUR)
    if not hits:
        embed.description = "Nothing matches. Try other words, or ask with `/ask`."
        return embed
    for hit in hits[:25]:
        post = hit.post
        kind = "Q" if isinstance(post, Question) else "A"
        link = f"\n[Jump]({jump_url(guild_id, post.message)})" if post.message else ""
        embed.add_field(
            name=f"{kind}{post.number} · in Q{hit.question.number}",
            value=snippet_text(hit, mark=_bold, escape=discord.utils.escape_markdown, limit=300)
            + link,
            inline=False,
        )
    return embed
