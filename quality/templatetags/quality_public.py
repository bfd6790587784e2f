"""The published quality facts on the public verification page (cached: no query when warm)."""

from __future__ import annotations

from typing import Any

from django import template

from quality.selectors import public_facts

register = template.Library()


@register.inclusion_tag("quality/includes/public_facts.html")
def quality_public_facts(public_id: str, status: str) -> dict[str, Any]:
    facts = public_facts(public_id) if status == "active" else {}
    return {"facts": facts}
