"""Core values -> Slack Block Kit: messages, the `/top` and search lists, and the two forms.

Pure functions; each returns the `text` fallback (notifications, screen readers) with the blocks.
Everything people typed is escaped for mrkdwn, and an anonymous asker is never named.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.translate import ANSWER_ACTION, ANSWER_FORM, ASK_FORM, SHARE_TOP_ACTION
from bot.domain import Answer, MessageRef, Question, RankedAnswer, SearchHit
from bot.snippet_text import snippet_text
from bot.text_rules import excerpt, query_echo

__all__ = [
    "Rendered",
    "answer_message",
    "answer_modal",
    "ask_modal",
    "escape",
    "help_text",
    "permalink",
    "question_message",
    "search_message",
    "top_message",
]

Block = dict[str, Any]
_SECTION_LIMIT = 2900  # Block Kit allows 3000 characters in a section's text
_NO_ANSWERS = "No answers here in this window yet: answer a question by replying in its thread."


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[Block]


def escape(text: str) -> str:
    """mrkdwn treats `&`, `<`, `>` as markup; show what people typed instead."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def permalink(team_url: str, message: MessageRef | None, *, thread_ts: str | None = None) -> str:
    """A link to a message, built like Slack's own permalinks (no API call per answer)."""
    if not team_url or message is None:
        return ""
    ts_digits = message.message_id.replace(".", "")
    link = f"{team_url.rstrip('/')}/archives/{message.channel_id}/p{ts_digits}"
    if thread_ts and thread_ts != message.message_id:
        link += f"?thread_ts={thread_ts}&cid={message.channel_id}"
    return link


def _mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_LIMIT]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str, *, primary: bool = False) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if primary:
        button["style"] = "primary"
    return button


def _chunks(text: str) -> list[str]:
    return [text[i : i + _SECTION_LIMIT] for i in range(0, len(text), _SECTION_LIMIT)] or [""]


def help_text(*, ask: str, top: str, qa: str) -> str:
    """`/qa help`, naming the commands as this workspace calls them."""
    return (
        "*Q&A board*\n"
        f"• `{ask} How do I move from backend to ML? #ml` asks the channel (`--anon` hides your"
        f" name; `{ask}` alone opens a form).\n"
        "• Answer by replying in the question's thread, or with its *Answer* button.\n"
        "• Vote with 👍/⬆️ or 👎/⬇️ on a question or an answer; the asker accepts with ✅.\n"
        f"• `{top} [day|week|month|year|all] [#tag] [Q12]` shows the best answers.\n"
        f"• `{qa} search <words>` · `{qa} accept A12` · `{qa} remove Q3` · `{qa} recount`\n"
        f"• `{qa} leaderboard [window]` · `{qa} unanswered [window]` · `{qa} mydata` (your data,"
        f" only to you) · `{qa} forgetme` (remove your votes and your name) · `{qa} rejoin`"
        " (count your reactions again)\n"
        f"• `{qa} headline <text>` shows who you are next to your name in lists (80 characters;"
        f" `{qa} headline clear` removes it)\n"
        f"• `{qa} link Q12` (its web page) · `{qa} web hide Q12` · `{qa} web show Q12` ·"
        f" `{qa} web names on|off`"
    )


def question_message(question: Question, *, vote_hint: str) -> Rendered:
    who = escape(question.shown_asker)
    tags = " ".join(f"`#{escape(tag)}`" for tag in question.tags)
    body = escape(question.text)
    blocks = [_mrkdwn(f"*{question.post_id}* · asked by *{who}*")]
    blocks += [_mrkdwn(part) for part in _chunks(body)]
    hint = f"Answer in this thread · vote with {vote_hint} · the asker accepts with ✅"
    blocks.append(_context(f"{tags} · {hint}" if tags else hint))
    answer = _button("Answer", ANSWER_ACTION, str(question.post_id), primary=True)
    blocks.append({"type": "actions", "block_id": "qabot_question", "elements": [answer]})
    # The fallback text is mrkdwn too (notifications): escaped, so `<!channel>` pings no one.
    return Rendered(f"{question.post_id} from {who}: {escape(excerpt(question.text))}", blocks)


def answer_message(answer: Answer) -> Rendered:
    """An answer given through the form, posted in the question's thread on the author's behalf."""
    who = escape(answer.author_name)
    blocks = [_mrkdwn(f"*{answer.post_id}* · answer by *{who}*")]
    blocks += [_mrkdwn(part) for part in _chunks(escape(answer.text))]
    return Rendered(f"{answer.post_id} by {who}: {escape(excerpt(answer.text))}", blocks)


def _ranked_line(ranked: RankedAnswer, team_url: str) -> str:
    answer, question = ranked.answer, ranked.question
    thread = question.message.message_id if question.message else None
    link = permalink(team_url, answer.message, thread_ts=thread)
    answer_id = f"<{link}|{answer.post_id}>" if link else str(answer.post_id)
    badge = " ✅ accepted" if ranked.accepted else ""
    score = f"{answer.score:+d}" if answer.score else "0"
    return (
        f"*{ranked.rank}.* *{score}* ({answer.ups}👍 {answer.downs}👎){badge} · {answer_id}"
        f" by {escape(answer.byline)}\n>{escape(excerpt(answer.text))}\n"
        f"_on {question.post_id}: {escape(excerpt(question.text, 80))}_"
        + (f" · <{ranked.page_url}|on the web>" if ranked.page_url else "")
    )


def top_message(
    results: Sequence[RankedAnswer], *, title: str, team_url: str, share_value: str | None
) -> Rendered:
    """The `/top` list; `share_value` adds the button that posts it in the channel."""
    blocks = [_mrkdwn(f"*{escape(title)}*")]
    if not results:
        blocks.append(_context(_NO_ANSWERS))
    blocks += [_mrkdwn(_ranked_line(ranked, team_url)) for ranked in results[:40]]
    if share_value is not None and results:
        share = _button("Share in channel", SHARE_TOP_ACTION, share_value[:2000])
        blocks.append({"type": "actions", "block_id": "qabot_top", "elements": [share]})
    lines = [f"{r.rank}. {r.answer.post_id} ({r.answer.score:+d})" for r in results]
    return Rendered("\n".join([escape(title), *lines]), blocks)


def search_message(hits: Sequence[SearchHit], *, words: str, team_url: str) -> Rendered:
    title = f"Search: {query_echo(words)}"
    blocks = [_mrkdwn(f"*{escape(title)}*")]
    if not hits:
        blocks.append(_context("Nothing matches all of those words."))
    for hit in hits[:40]:
        post, question = hit.post, hit.question
        thread = question.message.message_id if question.message else None
        message = post.message
        link = permalink(team_url, message, thread_ts=thread if isinstance(post, Answer) else None)
        post_id = f"<{link}|{post.post_id}>" if link else str(post.post_id)
        context = "" if isinstance(post, Question) else f"\n_on {question.post_id}_"
        snippet = snippet_text(hit, mark=lambda text: f"*{text}*", escape=escape, limit=200)
        blocks.append(_mrkdwn(f"{post_id} {snippet}{context}"))
    return Rendered("\n".join([escape(title), *(str(h.post.post_id) for h in hits)]), blocks)


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _text_input(action_id: str, *, multiline: bool, max_length: int, hint: str = "") -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if hint:
        element["placeholder"] = {"type": "plain_text", "text": hint}
    return element


def _modal(callback_id: str, title: str, submit: str, metadata: str, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def ask_modal(channel_id: str, *, max_chars: int) -> Block:
    anonymous = {
        "type": "checkboxes",
        "action_id": "anonymous",
        "options": [
            {
                "text": {"type": "plain_text", "text": "Ask anonymously"},
                "description": {"type": "plain_text", "text": "Your name is shown nowhere."},
                "value": "anonymous",
            }
        ],
    }
    question = _text_input("text", multiline=True, max_length=max_chars)
    tags = _text_input("text", multiline=False, max_length=200, hint="ml career-change")
    blocks = [
        _input("question", "Your question", question),
        _input("tags", "Tags", tags, optional=True),
        _input("anonymous", "Privacy", anonymous, optional=True),
    ]
    return _modal(ASK_FORM, "Ask a question", "Ask", channel_id, blocks)


def answer_modal(channel_id: str, question: Question, *, max_chars: int) -> Block:
    metadata = json.dumps({"channel": channel_id, "question": str(question.post_id)})
    blocks = [
        _context(f"*{question.post_id}*: {escape(excerpt(question.text, 280))}"),
        _input("answer", "Your answer", _text_input("text", multiline=True, max_length=max_chars)),
    ]
    return _modal(ANSWER_FORM, f"Answer {question.post_id}", "Answer", metadata, blocks)
