"""Formatting of indicator values for the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def qvalue(value: Decimal | None, unit: str = "") -> str:
    """A value with its unit, two decimals at most; a dash without a value."""
    if value is None:
        return "—"
    places = 0 if unit in ("h", "d", "") and value == value.to_integral_value() else 1
    if unit == "" and value != value.to_integral_value():
        places = 2
    shown = number_format(value, decimal_pos=places, use_l10n=True)
    return f"{shown} {unit}".strip() if unit else shown


@register.filter
def zone_label(zone: str) -> Any:
    return {
        "green": _("Green"),
        "yellow": _("Yellow"),
        "red": _("Red"),
        "insufficient": _("Not enough data"),
    }.get(zone, zone)
