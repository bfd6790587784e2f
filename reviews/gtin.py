"""GTIN (EAN/UPC) numbers: GTIN-8, -12, -13 and -14, checked by their check digit."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError

LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it: weights 3 and 1 from the right."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(value: str) -> bool:
    return (
        value.isascii()
        and value.isdigit()
        and len(value) in LENGTHS
        and check_digit(value[:-1]) == int(value[-1])
    )


def clean_gtin(value: str | None, *, field: str = "gtin") -> str:
    """The GTIN without spaces or dashes, "" when none is given; a DomainError when wrong."""
    text = "".join((value or "").split()).replace("-", "")
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()) or len(text) not in LENGTHS:
        raise DomainError(_("A GTIN has 8, 12, 13 or 14 digits."), field=field, code="gtin")
    if not is_valid(text):
        raise DomainError(
            _("This GTIN's check digit is wrong: please check the number."),
            field=field,
            code="gtin",
        )
    return text
