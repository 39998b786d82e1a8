"""Checks on text people type: one friendly sentence for anything the board should not keep."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidInput

__all__ = [
    "MAX_SEARCH_CHARS",
    "MAX_TAG_CHARS",
    "TAG_RULE",
    "clean_text",
    "excerpt",
    "normalize_tag",
    "parse_tag",
    "plain_words",
    "query_echo",
    "split_tags",
]

_ALLOWED_CONTROLS = {"\n", "\t"}
# Letters that show nothing (Hangul fillers, the braille blank): a way to post "nothing".
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Bidirectional controls: embeddings and overrides end at PDF, isolates at PDI.
_EMBEDDINGS = {"\u202a", "\u202b", "\u202d", "\u202e"}
_ISOLATES = {"\u2066", "\u2067", "\u2068"}
_PDF, _PDI = "\u202c", "\u2069"
_BIDI_CONTROLS = frozenset({*_EMBEDDINGS, *_ISOLATES, _PDF, _PDI})

MAX_TAG_CHARS = 30
TAG_RULE = (
    "a tag starts with a letter or digit, then letters, digits, - or _, "
    f"at most {MAX_TAG_CHARS} characters, like #career or #carrière"
)
# A `#` opens a tag at the start, after a space or after an opening bracket or quote: `C#`
# and `site.com/#anchor` are not tags.
_HASH_WORD = re.compile(r"(?:^|(?<=[\s(\[{\"'«\u201c\u2018]))#([^\s#]+)")
_LAST_WORD = re.compile(r"(?:^|\s)(\S+)$")

# The longest search anyone types; anything longer is a paste, refused rather than echoed.
MAX_SEARCH_CHARS = 500


def clean_text(text: str, *, max_chars: int, what: str = "text") -> str:
    """Return `text` trimmed, with every bidirectional control closed, or raise InvalidInput
    saying what to change."""
    text = text.replace("\r\n", "\n").strip()
    if not any(_visible(ch) for ch in text):
        raise InvalidInput(f"Your {what} is empty: please write something.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"Your {what} is {len(text):,} characters long; the limit is {max_chars:,}."
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise InvalidInput(f"Your {what} contains control characters; please remove them.")
    return _close_bidi(text)


def _visible(ch: str) -> bool:
    """Whether a character shows something by itself: not a space, a format character (the
    zero-width ones), a control, a lone combining mark or a blank letter."""
    return unicodedata.category(ch)[0] not in "ZCM" and ch not in _BLANK_LETTERS


def _close_bidi(text: str) -> str:
    """Keep right-to-left overrides, embeddings and isolates inside the text: close each one
    still open at the end of its line, and drop closers that close nothing. Whatever shows the
    text, or one line of it, then shows what follows unchanged."""
    if not _BIDI_CONTROLS.intersection(text):  # nearly every text: nothing to walk through
        return text
    out: list[str] = []
    opened: list[str] = []
    for ch in text:
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            opened.append(ch)
        elif ch == _PDF:
            if not opened or opened[-1] not in _EMBEDDINGS:
                continue
            opened.pop()
        elif ch == _PDI:
            if not any(control in _ISOLATES for control in opened):
                continue
            while opened[-1] not in _ISOLATES:  # embeddings inside an isolate end with it
                out.append(_PDF)
                opened.pop()
            opened.pop()
        elif ch == "\n":
            out.extend(_closers(opened))
            opened.clear()
        out.append(ch)
    out.extend(_closers(opened))
    return "".join(out)


def _closers(opened: list[str]) -> list[str]:
    return [_PDI if control in _ISOLATES else _PDF for control in reversed(opened)]


def split_tags(text: str, *, max_tags: int) -> tuple[str, tuple[str, ...]]:
    """Take `#tags` out of a question: trailing tags leave the text, inline ones stay in it."""
    found = (_tag_of(match[1]) for match in _HASH_WORD.finditer(text))
    tags = tuple(dict.fromkeys(tag for tag in found if tag))
    if len(tags) > max_tags:
        raise InvalidInput(f"A question can have at most {max_tags} tags; you gave {len(tags)}.")
    body = text.rstrip()
    while (last := _LAST_WORD.search(body)) and _is_tag_word(last[1]):
        body = body[: last.start()].rstrip()
    if not body:
        raise InvalidInput(
            "Your question has only tags: please write the question before them, "
            "like `How do I ask for a raise? #career`."
        )
    return body, tags


def _tag_of(word: str) -> str | None:
    """The tag at the start of what follows a `#` (`ml` of `#ml,`), or None when nothing there
    can be one (`#!`); InvalidInput when it looks meant as a tag but breaks the rule (`#-x`)."""
    run = _tag_run(word)
    return _checked_tag(run) if run else None


def _tag_run(word: str) -> str:
    """The leading letters, marks, digits, `-` and `_` of `word`."""
    for end, ch in enumerate(word):
        category = unicodedata.category(ch)
        if category[0] not in "LM" and category != "Nd" and ch not in "-_":
            return word[:end]
    return word


def _checked_tag(run: str) -> str:
    tag = unicodedata.normalize("NFC", run).lower()
    first = unicodedata.category(tag[0])
    if (first[0] != "L" and first != "Nd") or len(tag) > MAX_TAG_CHARS:
        raise _bad_tag(run)
    return tag


def _bad_tag(word: str) -> InvalidInput:
    shown = word if len(word) <= 40 else word[:39] + "…"
    return InvalidInput(f"#{shown} can't be a tag: {TAG_RULE}.")


def _is_tag_word(word: str) -> bool:
    """Whether a whole word is `#` and a tag: a trailing tag, which leaves the question."""
    return len(word) > 1 and word[0] == "#" and _tag_run(word[1:]) == word[1:]


def parse_tag(text: str) -> str:
    """A tag typed on its own (`/top #career`, a form's tag field), with or without its `#`."""
    word = text.strip().removeprefix("#")
    if not word or _tag_run(word) != word:
        raise _bad_tag(word)
    return _checked_tag(word)


def normalize_tag(text: str) -> str | None:
    """The tag `text` names (`#Career` is `career`), or None if it cannot be a tag."""
    try:
        return parse_tag(text)
    except InvalidInput:
        return None


def excerpt(text: str, limit: int = 200) -> str:
    """The first `limit` characters on one line, with an ellipsis when cut; a bidirectional
    control the cut leaves open is closed, so what follows the excerpt shows unchanged."""
    flat = " ".join(text.split())
    if len(flat) <= limit and len(whole := _close_bidi(flat)) <= limit:
        return whole
    cut = flat[: limit - 1]
    while len(shown := _close_bidi(cut.rstrip())) >= limit:
        cut = cut[:-1]
    return shown + "…"


def query_echo(query: str) -> str:
    """What a reply repeats of a search: a short excerpt, never a whole paste."""
    return excerpt(query, 60)


_WORD = re.compile(r"\w+", re.UNICODE)


def plain_words(text: str, *, limit: int = 12) -> tuple[str, ...]:
    """The words of a search, lower-cased: quotes, `*`, `NEAR`, `-` and brackets mean nothing."""
    words = (word.lower() for word in _WORD.findall(text) if word.strip("_"))
    return tuple(dict.fromkeys(words))[:limit]
