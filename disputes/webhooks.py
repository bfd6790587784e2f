"""The claim as webhook events show it (claim.filed, claim.shop_reminded, claim.escalated,
claim.decided, claim.paid, claim.closed).

There is no claims API yet: this small dict is the stable contract, documented by
`ClaimOut` in the OpenAPI document's `webhooks` section and in docs/webhooks.md.
`claim.closed` is sent when a case ends: the shop settled or its answer was accepted,
the buyer withdrew, the mediator decided for the shop, or the payout was made (then
after `claim.paid`).
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema

from disputes.models import Claim
from notifications.webhooks import emit


class ClaimOut(Schema):
    number: str
    state: str
    shop_public_id: str
    guarantee_number: str
    order_reference: str
    reason: str
    amount: str
    currency: str
    description: str
    opened_at: datetime.datetime
    shop_due_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    decision_amount: str | None
    decision_reason: str
    decided_at: datetime.datetime | None
    ended_at: datetime.datetime | None


def as_json(claim: Claim) -> dict[str, Any]:
    return {
        "number": claim.number,
        "state": claim.state,
        "shop_public_id": claim.shop.public_id,
        "guarantee_number": claim.guarantee.number,
        "order_reference": claim.guarantee.order_reference,
        "reason": claim.reason,
        "amount": str(claim.amount),
        "currency": claim.currency,
        "description": claim.description,
        "opened_at": claim.opened_at,
        "shop_due_at": claim.shop_due_at,
        "escalated_at": claim.escalated_at,
        "decision_amount": None if claim.decision_amount is None else str(claim.decision_amount),
        "decision_reason": claim.decision_reason,
        "decided_at": claim.decided_at,
        "ended_at": claim.ended_at,
    }


def emit_claim(event_type: str, claim: Claim) -> None:
    """In the service's transaction: the event for the shop member's endpoints."""
    emit(event_type, claim.shop.member_id, lambda: {"claim": as_json(claim)}, shop=claim.shop_id)
