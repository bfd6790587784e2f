"""Amounts of money: exact decimals in a currency's minor units, parsed with a clear refusal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

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
LARGEST = Decimal("10000000000")


def decimals_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def parse_amount(raw: Any, currency: str, *, field: str = "amount") -> Decimal:
    """A positive amount with no more decimals than the currency has, or a DomainError."""
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("The amount must be a number such as 49.90."), field=field) from exc
    if not amount.is_finite() or amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field=field)
    if decimals_of(amount) > MINOR_UNITS.get(currency, 2):
        raise DomainError(
            _("%(currency)s amounts have at most %(n)s decimals.")
            % {"currency": currency, "n": MINOR_UNITS.get(currency, 2)},
            field=field,
        )
    if amount >= LARGEST:
        raise DomainError(_("The amount is too large."), field=field)
    return amount
