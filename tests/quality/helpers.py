"""Building blocks for quality tests: measures of a chosen zone, days of rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from quality.definitions import Key
from quality.measures import Measure
from quality.services import store_day


def claim_rate(claims: int, guarantees: int) -> Measure:
    from quality.measures import rate

    return rate(Key.CLAIM_RATE, claims, guarantees)


RED = claim_rate(40, 200)  # 200 per mille, interval far above 50
YELLOW = claim_rate(6, 200)  # 30 per mille: above 20, interval reaches below 50
GREEN = claim_rate(1, 200)
SMALL = claim_rate(1, 3)  # one claim on three orders: not enough data


def red_days(shop, last: date, n: int, *, alerts: bool = False) -> None:
    """`n` consecutive days ending on `last` with the claim rate red."""
    for i in range(n - 1, -1, -1):
        store_day(shop, last - timedelta(days=i), [RED], alerts=alerts)


def value(text: str) -> Decimal:
    return Decimal(text)
