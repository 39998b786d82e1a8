"""Every spelling of an emoji, from any platform or person, becomes one key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.emoji_keys import normalize_emoji

THUMBS_UP = [
    "👍",
    "👍🏽",
    "👍🏿",
    ":+1:",
    "+1",
    "thumbsup",
    ":thumbsup:",
    ":thumbsup::skin-tone-2:",
    "+1::skin-tone-3",
    ":+1::skin-tone-6:",
    " 👍 ",
]


@pytest.mark.parametrize("spelling", THUMBS_UP)
def test_every_spelling_of_thumbs_up_is_one_key(spelling: str) -> None:
    assert normalize_emoji(spelling) == "👍"


@pytest.mark.parametrize("spelling", ["👎", "-1", ":-1:", "thumbsdown", ":-1::skin-tone-5:"])
def test_every_spelling_of_thumbs_down_is_one_key(spelling: str) -> None:
    assert normalize_emoji(spelling) == "👎"


@pytest.mark.parametrize("spelling", ["⬆️", "⬆", "arrow_up", ":arrow_up:"])
def test_the_arrow_with_or_without_its_variation_selector_is_one_key(spelling: str) -> None:
    assert normalize_emoji(spelling) == "⬆"


@pytest.mark.parametrize("spelling", ["✅", "white_check_mark", ":white_check_mark:"])
def test_the_check_mark_has_one_key(spelling: str) -> None:
    assert normalize_emoji(spelling) == "✅"


def test_a_discord_custom_emoji_keeps_its_name_and_id() -> None:
    assert normalize_emoji("<:PartyParrot:112233>") == "partyparrot:112233"


def test_an_animated_discord_emoji_is_the_same_key_as_a_still_one() -> None:
    assert normalize_emoji("<a:parrot:42>") == normalize_emoji("<:parrot:42>")


def test_a_renamed_discord_emoji_with_the_same_id_is_another_key() -> None:
    assert normalize_emoji("<:old:42>") != normalize_emoji("<:new:42>")


def test_a_slack_custom_emoji_keeps_its_shortcode() -> None:
    assert normalize_emoji("partyparrot") == normalize_emoji(":partyparrot:") == ":partyparrot:"


@pytest.mark.parametrize("text", ["", "   ", "hello world", "NEAR(", "\x00", "👍 👎"])
def test_text_that_names_no_emoji_has_no_key(text: str) -> None:
    assert normalize_emoji(text) == ""


@given(st.text(max_size=40))
def test_any_text_gets_a_key_or_nothing_without_raising(text: str) -> None:
    key = normalize_emoji(text)
    assert key == key.strip()
