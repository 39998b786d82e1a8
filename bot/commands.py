"""The words people type after a command, parsed into plain values for every adapter.

Slack's `/top day #ml`, the console's `/top day #ml` and Discord's options all mean the same
query; parsing it once keeps the answers and the error sentences the same everywhere.
"""

from __future__ import annotations

import re

from bot.domain import PostId, PostKind, TopQuery, Window
from bot.errors import InvalidInput
from bot.text_rules import normalize_tag

__all__ = [
    "QA_VERBS",
    "parse_ask",
    "parse_qa",
    "parse_top",
    "parse_window",
    "top_args",
    "top_title",
    "window_title",
]

QA_VERBS = (
    "help", "search", "accept", "remove", "recount",
    "leaderboard", "unanswered", "mydata", "forgetme",
)  # fmt: skip

_WINDOW_WORDS = {window.value: window for window in Window}
_WINDOW_TITLE = {
    Window.DAY: "today",
    Window.WEEK: "this week",
    Window.MONTH: "this month",
    Window.YEAR: "this year",
    Window.ALL: "all time",
}
_ANON_FLAG = re.compile(r"(?:^|\s)--anon(?:ymous)?(?=\s|$)", re.IGNORECASE)


def parse_ask(text: str) -> tuple[str, bool]:
    """The question without an `--anon` flag, and whether the flag was there."""
    # The flag goes with the space before it, so no double space is left where it stood.
    stripped, count = _ANON_FLAG.subn("", text)
    return stripped.strip(), count > 0


def parse_top(text: str, *, channel_id: str | None, limit: int, command: str = "/top") -> TopQuery:
    """`[day|week|month|year|all] [#tag] [Q12]` in any order; week in this channel by default."""
    window, tag, question = Window.WEEK, None, None
    for word in text.split():
        post_id = PostId.parse(word)
        if word.lower() in _WINDOW_WORDS:
            window = _WINDOW_WORDS[word.lower()]
        elif word.startswith("#") and normalize_tag(word):
            tag = normalize_tag(word)
        elif post_id is not None and post_id.kind is PostKind.QUESTION:
            question = post_id.number
        else:
            raise InvalidInput(
                f"I don't understand {word[:40]!r}. "
                f"Try `{command}`, `{command} month #ml` or `{command} Q12`."
            )
    return TopQuery(
        channel_id=None if question is not None else channel_id,
        window=window,
        tag=tag,
        question=question,
        limit=limit,
    )


def top_args(query: TopQuery) -> str:
    """The words that give `query` again (a Share button carries them)."""
    words = [query.window.value]
    if query.tag:
        words.append(f"#{query.tag}")
    if query.question is not None:
        words.append(f"Q{query.question}")
    return " ".join(words)


def top_title(query: TopQuery, *, channel_name: str = "this channel") -> str:
    if query.question is not None:
        return f"Top answers to Q{query.question}"
    title = f"Top answers in {channel_name}, {_WINDOW_TITLE[query.window]}"
    return f"{title}, #{query.tag}" if query.tag else title


def parse_qa(text: str) -> tuple[str, str]:
    """(verb, the rest) of `/qa ...`; an empty text is `help`."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower() or "help"
    if verb not in QA_VERBS:
        raise InvalidInput(
            f"I don't know `{verb[:20]}`. Try `help`, `search`, `accept`, `remove`, `recount`, "
            "`leaderboard`, `unanswered`, `mydata` or `forgetme`."
        )
    rest = rest.strip()
    if verb in ("accept", "remove") and not rest:
        example = "A12" if verb == "accept" else "Q3"
        raise InvalidInput(f"Which one? For example `{verb} {example}`.")
    return verb, rest


def parse_window(text: str, *, default: Window, verb: str) -> Window:
    """`[day|week|month|year|all]` after `leaderboard` or `unanswered`; nothing is `default`."""
    word = text.strip().lower()
    if not word:
        return default
    if word not in _WINDOW_WORDS:
        raise InvalidInput(
            f"I don't understand {text.strip()[:40]!r}. "
            f"Try `{verb}`, `{verb} month` or `{verb} all`."
        )
    return _WINDOW_WORDS[word]


def window_title(window: Window) -> str:
    """`this week`, `all time`: how a window reads in a title."""
    return _WINDOW_TITLE[window]
