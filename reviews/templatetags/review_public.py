"""Stars and figures on the public review pages and widgets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


def star_row(value: Any) -> list[str]:
    """Five stars as 'full', 'half' or 'empty' for a grade, an average or a review's stars."""
    if value is None or value == "":
        return ["empty"] * 5
    number = Decimal(str(value))
    row = []
    for n in range(1, 6):
        if number >= n - Decimal("0.25"):
            row.append("full")
        elif number >= n - Decimal("0.75"):
            row.append("half")
        else:
            row.append("empty")
    return row


@register.inclusion_tag("reviews/public/_stars.html")
def stars(value: Any, size: str = "") -> dict[str, Any]:
    """A row of five stars with the value for screen readers."""
    return {"row": star_row(value), "value": value, "size": size}


@register.filter
def criterion_stars(review: Any) -> list[tuple[str, int]]:
    """A shop review's (criterion, stars) pairs in the fixed order, only those rated."""
    return list(review.ratings.items())


@register.filter
def reason_label(code: str) -> str:
    """The words of a removal reason (a report reason's code)."""
    from reviews.models import ReportReason

    try:
        return str(ReportReason(code).label)
    except ValueError:
        return code
