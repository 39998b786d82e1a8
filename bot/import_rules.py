"""What a community's history becomes on the board (`qabot import`): the rules, platform-free.

A listed thread is a question when it is a forum thread, or when its first message asks
something (a `?`, or every thread with `--all-threads`). Replies by people other than the asker
become answers; nothing a bot posted is a question or an answer. Reactions become vote rows by
the live rules (`bot.reconcile.vote_rows`); the accept emoji is not a vote: the asker's on a
reply accepts it, the first such reply in thread order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import MessageRef
from bot.emoji_keys import normalize_emoji
from bot.errors import InvalidInput
from bot.reconcile import SeenEmoji, SeenMessage
from bot.text_rules import clean_text, normalize_tag, split_tags

__all__ = [
    "ListedThread",
    "Skip",
    "accept_marks",
    "answer_replies",
    "asks_something",
    "question_text",
    "thread_tags",
]


@dataclass(frozen=True, slots=True)
class ListedThread:
    """A thread as a channel's listing shows it: its first message (with its reactions), when it
    was asked, and for a forum thread its title and tags. `channel_id` is where its question
    belongs (the channel, or the forum), `thread_key` the key live replies find it by."""

    channel_id: str
    thread_key: str
    head: SeenMessage
    asked_at: datetime
    title: str = ""
    tags: tuple[str, ...] = ()
    forum: bool = False

    @property
    def thread_id(self) -> str:
        return self.head.message.message_id


@dataclass(frozen=True, slots=True)
class Skip:
    """A thread left out of the board, and why (the import summary lists them)."""

    message: MessageRef
    reason: str


def asks_something(thread: ListedThread, *, all_threads: bool) -> bool:
    return thread.forum or all_threads or "?" in thread.head.text or "?" in thread.title


def question_text(thread: ListedThread, *, max_chars: int) -> str:
    """The question as asked: a forum thread's title over its first message. InvalidInput when
    it breaks the live rules (too long, nothing visible)."""
    parts = [part.strip() for part in (thread.title, thread.head.text) if part.strip()]
    return clean_text("\n\n".join(parts), max_chars=max_chars, what="question")


def thread_tags(thread: ListedThread, *, max_tags: int) -> tuple[str, ...]:
    """A forum thread's tags, or the `#words` of the question's text; at most `max_tags`."""
    if thread.tags:
        named = (normalize_tag(name) for name in thread.tags)
        return tuple(dict.fromkeys(tag for tag in named if tag))[:max_tags]
    try:
        return split_tags(thread.head.text, max_tags=max_tags)[1]
    except InvalidInput:  # a malformed tag, too many, only tags: the text stays, untagged
        return ()


def answer_replies(
    thread: ListedThread, replies: Sequence[SeenMessage], *, max_chars: int
) -> list[SeenMessage]:
    """The replies that become answers, in thread order, their text cleaned as live."""
    asker = thread.head.author.user_id
    kept = []
    for reply in replies:
        if reply.author.is_bot or reply.author.user_id == asker or not reply.text.strip():
            continue
        try:
            text = clean_text(reply.text, max_chars=max_chars, what="answer")
        except InvalidInput:
            continue  # as live: a reply the board would refuse is not an answer
        kept.append(SeenMessage(reply.message, reply.author, text, reply.reactions))
    return kept


def accept_marks(message: SeenMessage, accept_key: str) -> list[SeenEmoji]:
    """The message's reactions with the accept emoji (any spelling of it)."""
    return [seen for seen in message.reactions if normalize_emoji(seen.emoji) == accept_key]
