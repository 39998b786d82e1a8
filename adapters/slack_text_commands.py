"""The words after `/top` and `/qa`, parsed into plain values.

A stopgap until the core's platform-neutral command parser lands (bot/commands.py); it only
reads text and raises `InvalidInput` with a sentence that shows the right form.
"""

from __future__ import annotations

from bot.domain import PostId, PostKind, TopQuery, Window
from bot.errors import InvalidInput
from bot.text_rules import normalize_tag

__all__ = ["HELP", "QA_VERBS", "parse_qa", "parse_top", "top_args", "top_title"]

QA_VERBS = ("help", "search", "accept", "remove", "recount")

HELP = (
    "*Q&A board*\n"
    "• `{ask} How do I move from backend to ML? #ml` asks the channel (`--anon` hides your name;"
    " `{ask}` alone opens a form).\n"
    "• Answer by replying in the question's thread, or with its *Answer* button.\n"
    "• Vote with 👍/⬆️ or 👎/⬇️ on a question or an answer; the asker accepts with ✅.\n"
    "• `{top} [day|week|month|year|all] [#tag] [Q12]` shows the best answers.\n"
    "• `{qa} search <words>` · `{qa} accept A12` · `{qa} remove Q3` · `{qa} recount`"
)

_WINDOW_WORDS = {w.value: w for w in Window}
_WINDOW_TITLE = {
    Window.DAY: "today",
    Window.WEEK: "this week",
    Window.MONTH: "this month",
    Window.YEAR: "this year",
    Window.ALL: "all time",
}


def parse_top(text: str, *, channel_id: str, limit: int) -> TopQuery:
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
                f"I don't understand {word[:40]!r}. Try `/top`, `/top month #ml` or `/top Q12`."
            )
    return TopQuery(
        channel_id=None if question is not None else channel_id,
        window=window,
        tag=tag,
        question=question,
        limit=limit,
    )


def top_args(query: TopQuery) -> str:
    """The words that give `query` again (the Share button carries them)."""
    words = [query.window.value]
    if query.tag:
        words.append(f"#{query.tag}")
    if query.question is not None:
        words.append(f"Q{query.question}")
    return " ".join(words)


def top_title(query: TopQuery) -> str:
    if query.question is not None:
        return f"Top answers to Q{query.question}"
    title = f"Top answers in this channel, {_WINDOW_TITLE[query.window]}"
    return f"{title}, #{query.tag}" if query.tag else title


def parse_qa(text: str) -> tuple[str, str]:
    """(verb, the rest); an empty text is `help`."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower() or "help"
    if verb not in QA_VERBS:
        raise InvalidInput(
            f"I don't know `{verb[:20]}`. Try `help`, `search`, `accept`, `remove` or `recount`."
        )
    rest = rest.strip()
    if verb in ("accept", "remove") and not rest:
        example = "A12" if verb == "accept" else "Q3"
        raise InvalidInput(f"Which one? For example `{verb} {example}`.")
    return verb, rest
