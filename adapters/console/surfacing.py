"""Console text for surfacing replies, and the console's Poster: notices print after the reply.

The console has one person at a terminal, so a notice the core posts "in a thread" (similar
questions, a hot answer) is queued and printed under the reply to the command that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from bot.surfacing_verbs import SurfacingReply
from bot.text_rules import excerpt
from bot.web_verbs import WebReply

__all__ = ["ConsolePoster", "render_digest", "render_notice", "render_surfacing"]


class ConsolePoster:
    def __init__(self) -> None:
        self._pending: list[str] = []

    async def post_digest(self, workspace: WorkspaceRef, digest: Digest) -> None:
        self._pending.append(render_digest(digest))

    async def post_notice(self, question: Question, notice: Notice) -> None:
        self._pending.append(render_notice(notice))

    async def refresh_question(self, question: Question) -> None:
        pass  # the console keeps no messages to redraw: the next /top shows the change

    def take(self) -> list[str]:
        """What was posted since the last call, oldest first."""
        taken, self._pending = self._pending, []
        return taken


def render_surfacing(reply: SurfacingReply) -> str:
    if isinstance(reply, Leaderboard):
        return _leaderboard(reply)
    if isinstance(reply, Unanswered):
        return _unanswered(reply)
    if isinstance(reply, PersonalExport):
        return f"{reply.summary}\n{reply.json_text}"
    if isinstance(reply, ForgetPrompt):
        return (
            "This removes every vote you made and shows your questions and answers as "
            f"Anonymous, for good. Type /qa {reply.confirm_words} to go ahead."
        )
    if isinstance(reply, Rejoined):
        return rejoined_sentence(reply)
    if isinstance(reply, HeadlineChanged | WebReply):
        return reply.sentence
    assert isinstance(reply, Forgotten)
    return forgotten_sentence(reply, rejoin="/qa rejoin")


def _leaderboard(board: Leaderboard) -> str:
    title = f"Leaderboard, {window_title(board.window)}"
    if not board.leaders:
        return f"{title}: no votes on answers yet. Try /qa leaderboard all."
    lines = [f"{title} (net votes on answers, accepted answers):"]
    for rank, leader in enumerate(board.leaders, start=1):
        accepted = f", {leader.accepted} accepted" if leader.accepted else ""
        lines.append(
            f"{rank:>2}. {leader.name}  {leader.net:+d} (↑{leader.ups} ↓{leader.downs}){accepted}"
        )
    return "\n".join(lines)


def _unanswered(found: Unanswered) -> str:
    title = f"Questions waiting for an answer, {window_title(found.window)}"
    if not found.questions:
        return f"{title}: none. Everyone got an answer."
    lines = [f"{title} (oldest first):"]
    lines += [_question_line(q) for q in found.questions]
    lines.append("Answer one with /answer Q<n> <text>.")
    return "\n".join(lines)


def _question_line(question: Question) -> str:
    asked = question.created_at.strftime("%Y-%m-%d")
    return f"  {question.post_id}  {excerpt(question.text, 100)} (asked {asked})"


def render_notice(notice: Notice) -> str:
    if isinstance(notice, SimilarQuestions):
        lines = [f"{notice.question.post_id} looks like earlier questions:"]
        for similar in notice.similar:
            q = similar.question
            lines.append(
                f"  {q.post_id}  {q.ups - q.downs:+d}, {q.answer_count} answer(s): "
                f"{excerpt(q.text, 80)}  (asked by {q.shown_byline}; see /top {q.post_id})"
            )
        return "\n".join(lines)
    assert isinstance(notice, HotAnswer)
    answer = notice.answer
    return (
        f"🔥 {answer.post_id} by {answer.author_name} on {notice.question.post_id} reached "
        f"{answer.score:+d}: {excerpt(answer.text, 80)}"
    )


def render_digest(digest: Digest) -> str:
    lines = [f"{digest.title} in #{digest.channel_id}:"]
    lines += _top_lines(digest)
    if digest.waiting:
        lines.append("Still waiting for an answer:")
        lines += [_question_line(q) for q in digest.waiting]
    return "\n".join(lines)


def _top_lines(digest: Digest) -> Sequence[str]:
    lines = []
    for entry in digest.top:
        a, q = entry.answer, entry.question
        badge = "  ✅ accepted" if entry.accepted else ""
        lines.append(f"{entry.rank:>2}. {a.post_id}  {a.score:+d}{badge}  on {q.post_id}")
        lines.append(f"    {excerpt(a.text)} (by {a.byline})")
        if entry.page_url:
            lines.append(f"    on the web: {entry.page_url}")
    return lines
