"""The arithmetic of the indicators: Wilson intervals, medians, zones and percentiles."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quality.arithmetic import Zone, median, percentile_rank, wilson, zone_of

counts = st.integers(min_value=0, max_value=100_000)


@given(n=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_rates_and_their_interval_stay_between_0_and_1_and_contain_the_estimate(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    p, low, high = wilson(k, n)
    assert 0 <= low <= p <= high <= 1


@given(n=st.integers(min_value=1, max_value=10_000), data=st.data())
def test_adding_a_buyer_favoured_decision_never_lowers_the_rate(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    before, after = wilson(k, n), wilson(k + 1, n + 1)
    assert after[0] >= before[0]
    assert after[1] >= before[1] - 1e-12  # the lower bound does not fall either


@given(n=st.integers(min_value=1, max_value=5000), data=st.data())
def test_the_interval_narrows_as_the_sample_grows_for_the_same_share(n, data):
    k = data.draw(st.integers(min_value=0, max_value=n))
    _p, low1, high1 = wilson(k, n)
    _p, low10, high10 = wilson(10 * k, 10 * n)
    assert high10 - low10 <= high1 - low1 + 1e-12


def test_no_observations_is_no_rate_not_a_zero():
    assert wilson(0, 0) is None
    assert median([]) is None


@given(values=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=50))
def test_the_median_lies_between_the_smallest_and_the_largest(values):
    assert min(values) <= median(values) <= max(values)


def _zone(value, low=None, high=None, sample=100, worse_up=True, yellow=20, red=50, minimum=30):
    return zone_of(
        value=value,
        low=low,
        high=high,
        sample=sample,
        yellow=Decimal(yellow),
        red=Decimal(red),
        min_sample=minimum,
        higher_is_worse=worse_up,
    )


@pytest.mark.parametrize(
    ("value", "low", "expected"),
    [
        (Decimal(20), Decimal(10), Zone.GREEN),  # exactly at yellow: not beyond it
        (Decimal("20.001"), Decimal(10), Zone.YELLOW),
        (Decimal(80), Decimal(50), Zone.YELLOW),  # lower bound at red: not beyond it
        (Decimal(80), Decimal("50.001"), Zone.RED),
    ],
)
def test_zone_boundaries_for_a_rate_where_higher_is_worse(value, low, expected):
    assert _zone(value, low=low, high=value + 10) == expected


def test_one_claim_on_three_orders_does_not_paint_a_shop_red():
    scaled = [Decimal(str(x * 1000)) for x in wilson(1, 3)]
    assert _zone(*scaled, sample=3) == Zone.INSUFFICIENT


def test_a_high_estimate_with_a_wide_interval_is_yellow_not_red():
    scaled = [Decimal(str(x * 1000)) for x in wilson(3, 40)]  # 75 per mille, low about 26
    assert scaled[0] > 50
    assert _zone(*scaled, sample=40) == Zone.YELLOW


def test_below_the_minimum_sample_there_is_no_zone():
    assert _zone(Decimal(900), Decimal(800), Decimal(950), sample=29) == Zone.INSUFFICIENT
    assert _zone(None, sample=1000) == Zone.INSUFFICIENT
    assert _zone(Decimal(900), Decimal(800), Decimal(950), sample=30) == Zone.RED


def test_a_large_shop_cannot_hide_behind_its_volume():
    """The same 6% claim rate: yellow for a small shop, red once the interval is tight."""
    small = [Decimal(str(x * 1000)) for x in wilson(3, 50)]
    large = [Decimal(str(x * 1000)) for x in wilson(600, 10_000)]
    assert _zone(*small, sample=50) == Zone.YELLOW
    assert _zone(*large, sample=10_000) == Zone.RED


def test_zones_where_lower_is_worse():
    kwargs = {"worse_up": False, "yellow": 90, "red": 70, "minimum": 5}
    assert _zone(Decimal(95), Decimal(85), Decimal(99), **kwargs) == Zone.GREEN
    assert _zone(Decimal(85), Decimal(75), Decimal(92), **kwargs) == Zone.YELLOW
    assert _zone(Decimal(50), Decimal(40), Decimal(69), **kwargs) == Zone.RED
    assert _zone(Decimal(50), Decimal(20), Decimal(80), **kwargs) == Zone.YELLOW


def test_percentile_is_100_for_the_best_of_the_market():
    peers = [10.0, 20.0, 30.0, 40.0]
    assert percentile_rank(10.0, peers, higher_is_worse=True) == 100
    assert percentile_rank(40.0, peers, higher_is_worse=True) == 25
    assert percentile_rank(40.0, peers, higher_is_worse=False) == 100
    assert percentile_rank(1.0, [], higher_is_worse=True) is None
