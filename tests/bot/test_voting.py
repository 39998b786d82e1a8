"""The pure ranking rules: the Wilson lower bound, one person's net vote, windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Window
from bot.voting import net_vote, normalize_weights, wilson_lower_bound, window_start
from tests.conftest import START

counts = st.integers(min_value=0, max_value=10_000)


@given(counts, counts)
def test_the_wilson_bound_is_a_share_between_0_and_1(ups: int, downs: int) -> None:
    assert 0.0 <= wilson_lower_bound(ups, downs) <= 1.0


@given(counts, counts)
def test_one_more_up_vote_never_lowers_the_bound(ups: int, downs: int) -> None:
    assert wilson_lower_bound(ups + 1, downs) >= wilson_lower_bound(ups, downs)


@given(counts, counts)
def test_one_more_down_vote_never_raises_the_bound(ups: int, downs: int) -> None:
    assert wilson_lower_bound(ups, downs + 1) <= wilson_lower_bound(ups, downs)


def test_no_votes_rank_at_zero() -> None:
    assert wilson_lower_bound(0, 0) == 0.0


def test_the_bound_matches_the_published_value_for_ten_up_one_down() -> None:
    assert wilson_lower_bound(10, 1) == pytest.approx(0.6226, abs=1e-4)


@pytest.mark.parametrize(
    ("weights", "vote"),
    [((1,), 1), ((1, 1), 1), ((1, -1), 0), ((-1,), -1), ((-1, -1, 1), -1), ((), 0)],
)
def test_a_persons_vote_is_the_sign_of_their_reactions(weights: tuple[int, ...], vote: int) -> None:
    assert net_vote(weights) == vote


@pytest.mark.parametrize(
    ("window", "days"), [(Window.DAY, 1), (Window.WEEK, 7), (Window.MONTH, 30), (Window.YEAR, 365)]
)
def test_a_window_reaches_back_its_length(window: Window, days: int) -> None:
    assert window_start(window, START) == START - timedelta(days=days)


def test_all_time_has_no_start() -> None:
    assert window_start(Window.ALL, START) is None


def test_weights_named_in_any_spelling_share_one_key() -> None:
    assert normalize_weights({"+1": 1, ":arrow_down:": -1}) == {"👍": 1, "⬇": -1}


@pytest.mark.parametrize("raw", [{"no such emoji here": 1}, {"👍": 2}])
def test_a_weight_that_is_no_emoji_or_not_one_is_refused(raw: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        normalize_weights(raw)
