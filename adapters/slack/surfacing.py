"""Slack side of surfacing: Block Kit for leaderboards, waiting questions, digests and notices,
and the Slack Poster (digests in channels, notices in a question's thread) over the Web API.

Pure renderers plus one small class; everything people typed is escaped for mrkdwn and an
anonymous asker is never named (the values carry no asker for them anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import Block, Rendered, escape, permalink
from bot.commands import window_title
from bot.domain import Question, RankedAnswer, WorkspaceRef
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
from bot.surfacing_verbs import SurfacingReply
from bot.text_rules import excerpt
from bot.web_verbs import WebReply

__all__ = ["SlackPoster", "digest_message", "export_chunks", "notice_message", "surfacing_message"]

log = logging.getLogger("qabot.slack")

_TEXT_LIMIT = 3500  # one ephemeral message's text, well inside Slack's 4,000 shown characters


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2900]}]}


def _question_link(question: Question, team_url: str) -> str:
    link = permalink(team_url, question.message)
    return f"<{link}|{question.post_id}>" if link else str(question.post_id)


def _waiting_line(question: Question, team_url: str) -> str:
    asked = question.created_at.strftime("%Y-%m-%d")
    return f"{_question_link(question, team_url)} {escape(excerpt(question.text, 120))} _({asked})_"


def surfacing_message(reply: SurfacingReply, *, team_url: str, qa: str) -> Rendered:
    """`/qa leaderboard|unanswered|forgetme` as an ephemeral message (mydata: export_chunks)."""
    if isinstance(reply, Leaderboard):
        title = f"Leaderboard, {window_title(reply.window)}"
        lines = [
            f"*{rank}.* *{escape(x.name)}* {x.net:+d} ({x.ups}👍 {x.downs}👎)"
            + (f" · {x.accepted} accepted" if x.accepted else "")
            for rank, x in enumerate(reply.leaders, start=1)
        ]
        empty = f"No votes on answers yet. Try `{qa} leaderboard all`."
        return _list(title, lines, empty)
    if isinstance(reply, Unanswered):
        title = f"Waiting for an answer, {window_title(reply.window)} (oldest first)"
        lines = [_waiting_line(q, team_url) for q in reply.questions]
        return _list(title, lines, "None: everyone got an answer.")
    if isinstance(reply, ForgetPrompt):
        text = (
            "This removes every vote you made here and shows your questions and answers as "
            f"*Anonymous*, for good. Type `{qa} {reply.confirm_words}` to go ahead."
        )
        return Rendered(text, [_section(text)])
    if isinstance(reply, Forgotten):
        text = forgotten_sentence(reply, rejoin=f"`{qa} rejoin`")
        return Rendered(text, [_section(text)])
    if isinstance(reply, Rejoined):
        text = rejoined_sentence(reply)
        return Rendered(text, [_section(text)])
    if isinstance(reply, HeadlineChanged | WebReply):
        text = escape(reply.sentence)
        return Rendered(text, [_section(text)])
    assert isinstance(reply, PersonalExport)
    return Rendered(reply.summary, [_section(reply.summary)])


def _list(title: str, lines: Sequence[str], empty: str) -> Rendered:
    blocks = [_section(f"*{escape(title)}*")]
    blocks += [_section(line) for line in lines[:40]] or [_context(empty)]
    return Rendered("\n".join([escape(title), *lines]) if lines else f"{title}: {empty}", blocks)


def export_chunks(export: PersonalExport) -> list[str]:
    """`/qa mydata` as ephemeral messages: a heading, then the JSON in code blocks."""
    body = export.json_text
    parts = [body[i : i + _TEXT_LIMIT] for i in range(0, len(body), _TEXT_LIMIT)]
    return [export.summary, *(f"```{part}```" for part in parts)]


def notice_message(notice: Notice, *, team_url: str) -> Rendered:
    if isinstance(notice, SimilarQuestions):
        head = "This looks like earlier questions; their threads may already help:"
        lines = [
            f"{_question_link(s.question, team_url)} *{s.question.ups - s.question.downs:+d}* · "
            f"{s.question.answer_count} answer(s) · {escape(excerpt(s.question.text, 100))}"
            f" — {escape(s.question.shown_byline)}"
            for s in notice.similar
        ]
        blocks = [_section(head), *(_section(line) for line in lines)]
        ids = ", ".join(str(s.question.post_id) for s in notice.similar)
        return Rendered(f"Similar questions: {ids}", blocks)
    assert isinstance(notice, HotAnswer)
    answer = notice.answer
    link = permalink(
        team_url, answer.message,
        thread_ts=notice.question.message.message_id if notice.question.message else None,
    )  # fmt: skip
    answer_id = f"<{link}|{answer.post_id}>" if link else str(answer.post_id)
    text = (
        f"🔥 {answer_id} by *{escape(answer.author_name)}* reached *{answer.score:+d}*: "
        f"{escape(excerpt(answer.text, 150))}"
    )
    return Rendered(f"🔥 {answer.post_id} reached {answer.score:+d}", [_section(text)])


def _top_line(ranked: RankedAnswer, team_url: str) -> str:
    answer, question = ranked.answer, ranked.question
    badge = " ✅" if ranked.accepted else ""
    return (
        f"*{ranked.rank}.* *{answer.score:+d}*{badge} {_question_link(question, team_url)} "
        f"{escape(excerpt(question.text, 80))}\n>{escape(excerpt(answer.text))} "
        f"— {escape(answer.byline)}"
        + (f" · <{ranked.page_url}|on the web>" if ranked.page_url else "")
    )


def digest_message(digest: Digest, *, team_url: str) -> Rendered:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": digest.title}}]
    blocks += [_section(_top_line(ranked, team_url)) for ranked in digest.top]
    if digest.waiting:
        blocks.append(_section("*Still waiting for an answer*"))
        blocks += [_section(_waiting_line(q, team_url)) for q in digest.waiting]
    text = f"{digest.title}: {len(digest.top)} answer(s), {len(digest.waiting)} waiting"
    return Rendered(text, blocks)


class SlackPoster:
    """Posts for the core through the bot's Web API client."""

    def __init__(
        self,
        client: AsyncWebClient,
        team_url: Callable[[], str],
        question_message: Callable[[Question], Rendered],
    ) -> None:
        self._client = client
        self._team_url = team_url
        self._question_message = question_message

    async def post_digest(self, workspace: WorkspaceRef, digest: Digest) -> None:
        rendered = digest_message(digest, team_url=self._team_url())
        await self._client.chat_postMessage(
            channel=digest.channel_id, text=rendered.text, blocks=rendered.blocks
        )

    async def post_notice(self, question: Question, notice: Notice) -> None:
        if question.message is None:
            log.info("%s has no Slack message to reply under", question.post_id)
            return
        rendered = notice_message(notice, team_url=self._team_url())
        await self._client.chat_postMessage(
            channel=question.message.channel_id,
            thread_ts=question.message.message_id,
            text=rendered.text,
            blocks=rendered.blocks,
            unfurl_links=False,
        )

    async def refresh_question(self, question: Question) -> None:
        if question.message is None:
            return
        rendered = self._question_message(question)
        await self._client.chat_update(
            channel=question.message.channel_id,
            ts=question.message.message_id,
            text=rendered.text,
            blocks=rendered.blocks,
        )
