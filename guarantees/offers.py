"""Which plans a shop offers its buyers, with their caps: what the buyer pages show."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from certification.models import Shop
from guarantees.cover import cap_for, cover_amount
from guarantees.models import Plan


def offered_plans(shop: Shop, currency: str, amount: str | None = None) -> list[dict[str, Any]]:
    """Basic always, Plus where the shop's membership includes it; only plans with a cap."""
    offered = [Plan.BASIC]
    if "guarantee_plus" in (shop.plan.features or []):
        offered.append(Plan.PLUS)
    plans = []
    for plan in offered:
        cap = cap_for(plan, currency)
        if cap is None:
            continue
        covered = None
        if amount is not None:
            try:
                covered = cover_amount(Decimal(amount), cap)
            except (ArithmeticError, InvalidOperation):
                covered = None  # the service refuses such an amount with a message
        plans.append({"plan": plan, "label": Plan(plan).label, "cap": cap, "covered": covered})
    return plans
