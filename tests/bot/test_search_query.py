"""What a search takes, and how much of it a reply repeats."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.text_rules import MAX_SEARCH_CHARS, excerpt, query_echo
from tests.conftest import TEAM, Board


async def test_a_pasted_100_kb_search_is_refused_saying_the_limit(board: Board) -> None:
    with pytest.raises(InvalidInput, match=f"the limit is {MAX_SEARCH_CHARS}"):
        await board.service.search(workspace=TEAM, text="salary " * 15_000)


def test_a_reply_repeats_a_long_search_only_as_a_short_excerpt() -> None:
    echoed = query_echo("salary negotiation " * 5000)
    assert len(echoed) <= 60 and echoed.endswith("…")


def test_an_excerpt_cut_inside_a_right_to_left_override_closes_it() -> None:
    assert excerpt("ab\u202ecdefghij", 6) == "ab\u202ec\u202c…"
