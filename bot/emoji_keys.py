"""One key per emoji, whatever shape a platform or a person typed it in.

`👍`, `👍🏽`, `:+1:`, `+1`, `thumbsup`, `:thumbsup::skin-tone-2:` and `+1::skin-tone-3` all become
`👍`. Custom emoji keep their name (`:partyparrot:`), and Discord custom emoji their `name:id`
so a rename of the picture does not silently change what it votes.

This lives in the core, not in adapters/, because settings keys and console input need the same
normalisation as platform events.
"""

from __future__ import annotations

import re
from functools import lru_cache

import emoji

__all__ = ["normalize_emoji"]

_SKIN_TONES = {chr(code) for code in range(0x1F3FB, 0x1F400)}
_VARIATION_SELECTORS = {"\ufe0e", "\ufe0f"}
_SLACK_SKIN_TONE = re.compile(r"::skin-tone-\d+:?$|:skin-tone-\d+:?$")
_DISCORD_CUSTOM = re.compile(r"<a?:([\w~-]+):(\d+)>|([\w~-]+):(\d+)")
_NAME = re.compile(r":?([\w+\-~]+):?")


def _strip_modifiers(text: str) -> str:
    return "".join(ch for ch in text if ch not in _SKIN_TONES and ch not in _VARIATION_SELECTORS)


# Every reaction is normalised (the emoji package's lookups are slow next to a dict hit), and
# the same few emoji come back all the time: remember them, in a bounded cache.
@lru_cache(maxsize=4096)
def normalize_emoji(raw: str) -> str:
    """Return the canonical key of an emoji, or "" for text that names no emoji at all."""
    text = raw.strip()
    if not text:
        return ""
    custom = _DISCORD_CUSTOM.fullmatch(text)
    if custom:
        name, snowflake = custom[1] or custom[3], custom[2] or custom[4]
        return f"{name.lower()}:{snowflake}"
    if emoji.is_emoji(text) or emoji.is_emoji(_strip_modifiers(text)):
        return _strip_modifiers(text)
    text = _SLACK_SKIN_TONE.sub("", text)
    name = _NAME.fullmatch(text)
    if name is None:
        return ""
    shortcode = f":{name[1].lower()}:"
    unicode = emoji.emojize(shortcode, language="alias")
    if unicode != shortcode:
        return _strip_modifiers(unicode)
    return shortcode
