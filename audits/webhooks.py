"""The audit as webhook events show it (audit.findings_sent, audit.approved, audit.refused).

There is no audit API yet: this small dict is the stable contract, documented by
`AuditOut` in the OpenAPI document's `webhooks` section and in docs/webhooks.md.
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema

from audits.models import Audit, FindingResult
from notifications.webhooks import emit


class NotMetOut(Schema):
    criterion: str
    advice: str


class AuditOut(Schema):
    id: int
    shop_public_id: str
    domain: str
    kind: str
    state: str
    round: int
    requested_at: datetime.datetime
    fix_due_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decision_note: str
    mark_number: str | None
    not_met: list[NotMetOut]


def as_json(audit: Audit) -> dict[str, Any]:
    not_met = audit.findings.filter(result=FindingResult.NOT_MET).select_related("criterion")
    return {
        "id": audit.pk,
        "shop_public_id": audit.shop.public_id,
        "domain": audit.shop.display_domain,
        "kind": audit.kind,
        "state": audit.state,
        "round": audit.round,
        "requested_at": audit.requested_at,
        "fix_due_at": audit.fix_due_at,
        "decided_at": audit.decided_at,
        "decision_note": audit.decision_note,
        "mark_number": audit.mark.number if audit.mark_id else None,
        "not_met": [
            {"criterion": f.criterion.code, "advice": f.advice}
            for f in not_met.order_by("criterion__code")
        ],
    }


def emit_audit(event_type: str, audit: Audit) -> None:
    """In the service's transaction: the event for the member's endpoints."""
    emit(event_type, audit.shop.member_id, lambda: {"audit": as_json(audit)}, shop=audit.shop_id)
