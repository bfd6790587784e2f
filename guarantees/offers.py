"""Which plans a shop offers its buyers, with their caps: what the buyer pages show."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from certification.models import Shop
from guarantees.cover import cover_amount
from guarantees.models import CoverCap, Plan


def offered_plans(shop: Shop, currency: str, amount: str | None = None) -> list[dict[str, Any]]:
    """Basic always, Plus where the shop's membership includes it; only plans with a cap."""
    offered = [Plan.BASIC]
    if "guarantee_plus" in (shop.plan.features or []):
        offered.append(Plan.PLUS)
    caps = dict(
        CoverCap.objects.filter(plan__in=offered, currency=currency).values_list("plan", "cap")
    )
    plans = []
    for plan in offered:
        if plan not in caps:
            continue
        covered = None
        if amount is not None:
            try:
                covered = cover_amount(Decimal(amount), caps[plan])
            except (ArithmeticError, InvalidOperation):
                covered = None  # the service refuses such an amount with a message
        plans.append(
            {"plan": plan, "label": Plan(plan).label, "cap": caps[plan], "covered": covered}
        )
    return plans
