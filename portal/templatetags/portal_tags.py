"""Small display helpers for portal templates."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from certification.access import Right
from certification.models import Area

register = template.Library()


@register.simple_tag
def rights_summary(rights: set[Right], shop_names: dict[int, str]) -> str:
    """'Audits (whole member); Guarantee cases (shop.example)' — or 'No rights yet'."""
    if not rights:
        return _("No rights yet")
    parts = []
    for right in sorted(rights, key=lambda r: (r.area, r.shop_id or 0)):
        where = _("whole member") if right.shop_id is None else shop_names.get(right.shop_id, "?")
        parts.append(f"{Area(right.area).label} ({where})")
    return "; ".join(parts)
