"""Checks on text people type: one friendly sentence for anything the board should not keep."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidInput

__all__ = ["clean_text", "excerpt", "normalize_tag", "plain_words", "split_tags"]

_ALLOWED_CONTROLS = {"\n", "\t"}
_TAG = re.compile(r"(?<![\w#])#([A-Za-z0-9][\w-]{0,29})\b")
_TRAILING_TAGS = re.compile(r"(?:\s+#[A-Za-z0-9][\w-]{0,29})+\s*$")


def clean_text(text: str, *, max_chars: int, what: str = "text") -> str:
    """Return `text` trimmed, or raise InvalidInput saying what to change."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(f"Your {what} is empty: please write something.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"Your {what} is {len(text):,} characters long; the limit is {max_chars:,}."
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise InvalidInput(f"Your {what} contains control characters; please remove them.")
    return text


def split_tags(text: str, *, max_tags: int) -> tuple[str, tuple[str, ...]]:
    """Take `#tags` out of a question: trailing tags leave the text, inline ones stay in it."""
    tags = tuple(dict.fromkeys(tag.lower() for tag in _TAG.findall(text)))
    if len(tags) > max_tags:
        raise InvalidInput(f"A question can have at most {max_tags} tags; you gave {len(tags)}.")
    body = _TRAILING_TAGS.sub("", " " + text).strip()
    return (body or text.strip()), tags


def normalize_tag(text: str) -> str | None:
    match = re.fullmatch(r"#?([A-Za-z0-9][\w-]{0,29})", text.strip())
    return match[1].lower() if match else None


def excerpt(text: str, limit: int = 200) -> str:
    """The first `limit` characters on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_WORD = re.compile(r"\w+", re.UNICODE)


def plain_words(text: str, *, limit: int = 12) -> tuple[str, ...]:
    """The words of a search, lower-cased: quotes, `*`, `NEAR`, `-` and brackets mean nothing."""
    words = (word.lower() for word in _WORD.findall(text) if word.strip("_"))
    return tuple(dict.fromkeys(words))[:limit]
