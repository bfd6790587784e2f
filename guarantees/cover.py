"""Cover arithmetic: exact decimals, caps from the database, periods from settings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

# ISO 4217 minor units of the currencies shops may use.
MINOR_UNITS = {
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "PLN": 2,
    "CZK": 2,
    "DKK": 2,
    "SEK": 2,
    "NOK": 2,
    "HUF": 2,
    "RON": 2,
    "USD": 2,
}


def decimals_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def cover_amount(amount: Decimal, cap: Decimal) -> Decimal:
    """What one purchase is covered for: the order amount, at most the plan's cap."""
    return min(amount, cap)


def cover_until(purchase_date: date, expected_delivery_date: date | None) -> date:
    """Until expected delivery (or the purchase) plus the configured days."""
    start = max(purchase_date, expected_delivery_date or purchase_date)
    return start + timedelta(days=settings.GUARANTEE_COVER_DAYS)
