"""Plain-text replies for the console: every reply names the ids a person can type next."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Answer, Question, RankedAnswer, SearchHit, VoteOutcome
from bot.replies import accepted_sentence, vote_sentence
from bot.snippet_text import snippet_text
from bot.text_rules import excerpt, query_echo

__all__ = [
    "render_accepted",
    "render_answer",
    "render_question",
    "render_search",
    "render_top",
    "render_vote",
]


def _score(ups: int, downs: int) -> str:
    return f"{ups - downs:+d} (↑{ups} ↓{downs})"


def render_question(question: Question, channel: str) -> str:
    tags = "  " + " ".join(f"#{tag}" for tag in question.tags) if question.tags else ""
    return (
        f"{question.post_id} asked by {question.shown_asker} in #{channel}: "
        f"{question.text}{tags}\n"
        f"Answer with /answer {question.post_id} <text>; vote with /react {question.post_id} 👍"
    )


def render_answer(answer: Answer, question: Question) -> str:
    return (
        f"{answer.post_id} by {answer.author_name} answers {question.post_id}: "
        f"{excerpt(answer.text, 80)}\n"
        f"Vote with /react {answer.post_id} 👍 (or 👎); "
        f"the asker can accept it with /accept {answer.post_id}"
    )


def render_vote(outcome: VoteOutcome, emoji: str, *, removed: bool = False) -> str:
    return vote_sentence(outcome, emoji, removed=removed)


def render_accepted(answer: Answer, question: Question) -> str:
    return accepted_sentence(answer.post_id, question.post_id)


def render_top(title: str, ranked: Sequence[RankedAnswer], *, empty_hint: str) -> str:
    if not ranked:
        return f"{title}: no answers yet. {empty_hint}"
    lines = [f"{title}:"]
    for entry in ranked:
        answer, question = entry.answer, entry.question
        badge = "  ✅ accepted" if entry.accepted else ""
        lines.append(
            f"{entry.rank:>2}. {answer.post_id}  {_score(answer.ups, answer.downs)}{badge}"
        )
        lines.append(f"    {excerpt(answer.text)} (by {answer.byline})")
        lines.append(f"    on {question.post_id}: {excerpt(question.text, 80)}")
        if entry.page_url:
            lines.append(f"    on the web: {entry.page_url}")
    return "\n".join(lines)


def _marked(text: str) -> str:
    return f"[{text}]"


def _bracket_escape(text: str) -> str:
    """Brackets in a snippet's text, so that only a match shows in [ ]."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def render_search(words: str, hits: Sequence[SearchHit]) -> str:
    if not hits:
        return f"Nothing matches {query_echo(words)!r}. Try fewer or other words."
    lines = [f"Results for {query_echo(words)!r}:"]
    for hit in hits:
        post = hit.post
        snippet = snippet_text(hit, mark=_marked, escape=_bracket_escape, limit=100)
        if isinstance(post, Question):
            lines.append(f"  {post.post_id}  question by {post.shown_asker}: {snippet}")
        else:
            lines.append(
                f"  {post.post_id}  answer to {hit.question.post_id} by {post.author_name}: "
                f"{snippet}"
            )
    return "\n".join(lines)
