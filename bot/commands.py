"""The words people type after a command, parsed into plain values for every adapter.

Slack's `/top day #ml`, the console's `/top day #ml` and Discord's options all mean the same
query; parsing it once keeps the answers and the error sentences the same everywhere.
"""

from __future__ import annotations

import re

from bot.domain import PostId, PostKind, TopQuery, Window
from bot.errors import InvalidInput
from bot.text_rules import parse_tag

__all__ = [
    "QA_VERBS",
    "parse_ask",
    "parse_post_id",
    "parse_qa",
    "parse_top",
    "parse_window",
    "top_args",
    "top_title",
    "window_title",
]

QA_VERBS = (
    "help", "search", "accept", "remove", "recount",
    "leaderboard", "unanswered", "mydata", "forgetme", "rejoin", "headline", "web", "link",
)  # fmt: skip

_WINDOW_WORDS = {window.value: window for window in Window}
_WINDOW_TITLE = {
    Window.DAY: "today",
    Window.WEEK: "this week",
    Window.MONTH: "this month",
    Window.YEAR: "this year",
    Window.ALL: "all time",
}
# The flag is a word of its own first or last in the question (last may be before the
# trailing tags); anywhere else `--anon` is just text.
_FLAG = r"--anon(?:ymous)?"
_LEADING_FLAG = re.compile(rf"^\s*{_FLAG}(?:\s+|$)", re.IGNORECASE)
_TRAILING_FLAG = re.compile(rf"(?:^|\s+){_FLAG}(?=(?:\s+#\S+)*\s*$)", re.IGNORECASE)
# What looks meant as a post id: a Q or an A and digits of any script (`Q12`, `Q0`).
_ID_LIKE = re.compile(r"[QqAa]\d+")
_ID_RULE = "ids are Q or A and a number in the digits 0-9, like Q12 or A3"


def parse_ask(text: str) -> tuple[str, bool]:
    """The question without an `--anon` flag, and whether the flag was there."""
    stripped, leading = _LEADING_FLAG.subn("", text.strip(), count=1)
    stripped, trailing = _TRAILING_FLAG.subn("", stripped, count=1)
    return stripped.strip(), leading + trailing > 0


def parse_post_id(text: str, kind: PostKind | None = None) -> PostId:
    """A typed id (`Q12`, `A3`), of `kind` if given; InvalidInput in the same words anywhere."""
    post_id = PostId.parse(text)
    if post_id is None:
        shown = text.strip()
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise InvalidInput(f"{shown!r} is not an id: {_ID_RULE}.")
    if kind is not None and post_id.kind is not kind:
        wanted = "a question id, like Q12" if kind is PostKind.QUESTION else "an answer id, like A3"
        raise InvalidInput(f"{post_id} is not the right kind of id here: use {wanted}.")
    return post_id


def parse_top(text: str, *, channel_id: str | None, limit: int, command: str = "/top") -> TopQuery:
    """`[day|week|month|year|all] [#tag] [Q12]` in any order; week in this channel by default."""
    windows: list[Window] = []
    tags: list[str] = []
    questions: list[int] = []
    for word in text.split():
        if word.lower() in _WINDOW_WORDS:
            windows.append(_WINDOW_WORDS[word.lower()])
        elif word.startswith("#"):
            tags.append(parse_tag(word))
        elif _ID_LIKE.fullmatch(word):
            questions.append(parse_post_id(word, PostKind.QUESTION).number)
        else:
            raise InvalidInput(
                f"I don't understand {word[:40]!r}. "
                f"Try `{command}`, `{command} month #ml` or `{command} Q12`."
            )
    for given, what in ((windows, "windows"), (tags, "tags"), (questions, "question ids")):
        if len(given) > 1:
            raise InvalidInput(
                f"`{command}` takes one window (day, week, month, year or all), one #tag and "
                f"one question id at most; you gave {len(given)} {what}."
            )
    question = questions[0] if questions else None
    return TopQuery(
        channel_id=None if question is not None else channel_id,
        window=windows[0] if windows else Window.WEEK,
        tag=tags[0] if tags else None,
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
    verb, rest = [*text.split(maxsplit=1), "", ""][:2]
    verb = verb.lower() or "help"
    if verb not in QA_VERBS:
        known = ", ".join(f"`{known}`" for known in QA_VERBS[:-1])
        raise InvalidInput(f"I don't know `{verb[:20]}`. Try {known} or `{QA_VERBS[-1]}`.")
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
