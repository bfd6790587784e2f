"""The arithmetic of the indicators: Wilson intervals, medians and zones. Pure functions.

A rate is judged by its 95% Wilson score interval, so a small shop is not painted
red by one claim on three orders, and a large shop cannot hide behind its volume:
red needs the whole interval beyond the red threshold, yellow only the estimate
beyond the yellow one, and below the minimum sample there is no zone at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

Z95 = 1.959963984540054


class Zone:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    INSUFFICIENT = "insufficient"

    ORDER = {INSUFFICIENT: 0, GREEN: 1, YELLOW: 2, RED: 3}


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float, float] | None:
    """(estimate, low, high) of a proportion; None without observations."""
    if n <= 0:
        return None
    k = min(max(successes, 0), n)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    # Rounding may put the bound a hair past the estimate at k = 0 or k = n.
    return p, min(low, p), max(high, p)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def zone_of(
    *,
    value: Decimal | float | None,
    low: Decimal | float | None,
    high: Decimal | float | None,
    sample: int,
    yellow: Decimal | float,
    red: Decimal | float,
    min_sample: int,
    higher_is_worse: bool,
) -> str:
    """The zone of one measure against its thresholds (strictly beyond a threshold counts).

    Without an interval (a count, an amount, a median) the value itself is compared.
    """
    if value is None or sample < min_sample:
        return Zone.INSUFFICIENT
    low = value if low is None else low
    high = value if high is None else high
    if higher_is_worse:
        if low > red:
            return Zone.RED
        if value > yellow:
            return Zone.YELLOW
        return Zone.GREEN
    if high < red:
        return Zone.RED
    if value < yellow:
        return Zone.YELLOW
    return Zone.GREEN


def percentile_rank(value: float, peers: Sequence[float], *, higher_is_worse: bool) -> int | None:
    """Share (0-100) of peers doing no better than this value; 100 is the best of the market."""
    if not peers:
        return None
    if higher_is_worse:
        no_better = sum(1 for peer in peers if peer >= value)
    else:
        no_better = sum(1 for peer in peers if peer <= value)
    return round(100 * no_better / len(peers))
