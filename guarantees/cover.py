"""Cover arithmetic: exact decimals, caps from the database, periods from settings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from core.cache import cached, forget
from guarantees.models import CoverCap

CAPS_KEY = "tm:guarantees:caps:v1"
CAPS_TTL = 300  # a safety net only: saving or deleting a cap forgets them on commit


def cover_amount(amount: Decimal, cap: Decimal) -> Decimal:
    """What one purchase is covered for: the order amount, at most the plan's cap."""
    return min(amount, cap)


def cover_until(purchase_date: date, expected_delivery_date: date | None) -> date:
    """Until expected delivery (or the purchase) plus the configured days."""
    start = max(purchase_date, expected_delivery_date or purchase_date)
    return start + timedelta(days=settings.GUARANTEE_COVER_DAYS)


def _load_caps() -> dict[tuple[str, str], Decimal]:
    return {(c.plan, c.currency): c.cap for c in CoverCap.objects.all()}


def cap_for(plan: str, currency: str) -> Decimal | None:
    """The cap per purchase of a plan in a currency, or None where it is not offered.

    Read from the two-level cache (core.cache); administrators edit caps in the admin,
    and each save or delete forgets the cached table once committed.
    """
    return cached(CAPS_KEY, _load_caps, lambda _caps: CAPS_TTL).get((plan, currency))


def forget_caps() -> None:
    forget(CAPS_KEY)
