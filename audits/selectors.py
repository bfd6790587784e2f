"""Reads for the audit pages; query counts do not grow with rows."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.access import audits_visible_to
from audits.models import (
    OPEN_AUDIT_STATES,
    Audit,
    AuditDocument,
    AuditState,
    Finding,
    FindingResult,
)

AUDIT_ACTIONS = {
    "audit_requested": _("Requested"),
    "audit_assigned": _("Assigned"),
    "review_started": _("Review started"),
    "findings_sent": _("Findings sent"),
    "resubmitted": _("Resubmitted"),
    "review_resumed": _("Review resumed"),
    "audit_approved": _("Approved"),
    "audit_refused": _("Refused"),
    "audit_withdrawn": _("Withdrawn"),
    "audit_lapsed": _("Lapsed"),
}


def audit_queue(
    *,
    user: Any,
    state: str = "",
    mine: bool = False,
    overdue: bool = False,
    due_today: bool = False,
) -> QuerySet[Audit]:
    """The auditors' queue, soonest due first."""
    audits = (
        audits_visible_to(user)
        .select_related("shop__member", "auditor")
        .annotate(
            unmet=Count("findings", filter=Q(findings__result=FindingResult.NOT_MET)),
            unchecked=Count("findings", filter=Q(findings__result=FindingResult.OPEN)),
        )
    )
    if state:
        audits = audits.filter(state=state)
    else:
        audits = audits.exclude(
            state__in=[
                AuditState.APPROVED,
                AuditState.REFUSED,
                AuditState.WITHDRAWN,
                AuditState.LAPSED,
            ]
        )
    if mine:
        audits = audits.filter(auditor=user)
    if overdue:
        audits = audits.filter(state=AuditState.FINDINGS_SENT, fix_due_at__lt=timezone.now())
    if due_today:
        audits = audits.filter(_due_today())
    return audits.order_by("fix_due_at", "requested_at")


def _due_today() -> Q:
    """Findings sent whose fix-by date falls on today (local time), passed or not."""
    start, end = today_bounds()
    return Q(state=AuditState.FINDINGS_SENT, fix_due_at__gte=start, fix_due_at__lt=end)


def today_bounds() -> tuple[Any, Any]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def audit_queue_counts(*, user: Any) -> dict[str, int]:
    """The dashboard's figures for the auditors' queue, in one query."""
    return audits_visible_to(user).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_AUDIT_STATES)),
        mine=Count("pk", filter=Q(state__in=OPEN_AUDIT_STATES, auditor=user)),
        overdue=Count(
            "pk", filter=Q(state=AuditState.FINDINGS_SENT, fix_due_at__lt=timezone.now())
        ),
        due_today=Count("pk", filter=_due_today()),
    )


def open_audits_for_merchant(user: Any) -> QuerySet[Audit]:
    """Each shop's audit in progress, where the person holds the audits right; one query.

    `unmet` counts the findings the merchant has to fix (sent, not yet answered again).
    """
    unmet = (
        Finding.objects.filter(audit=OuterRef("pk"), result=FindingResult.NOT_MET)
        .order_by()
        .values("audit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        audits_visible_to(user)
        .filter(state__in=OPEN_AUDIT_STATES)
        .annotate(unmet=Coalesce(Subquery(unmet, output_field=IntegerField()), 0))
        .order_by("shop_id", "-requested_at")
        .distinct("shop_id")
    )


def findings_by_category(audit: Audit) -> OrderedDict[str, list[Finding]]:
    groups: OrderedDict[str, list[Finding]] = OrderedDict()
    findings = audit.findings.select_related("criterion__category").order_by(
        "criterion__category__order", "criterion__order"
    )
    for finding in findings:
        groups.setdefault(finding.criterion.category.name_in(), []).append(finding)
    return groups


@dataclass
class AuditEvent:
    at: Any
    label: str
    state: str
    who: str
    note: str


def audit_history(audit: Audit) -> list[AuditEvent]:
    """Who moved the audit, when, from which state to which, and why."""
    events = (
        Audit.pgh_event_model.objects.filter(pgh_obj_id=audit.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    entries: list[AuditEvent] = []
    previous = None
    for event in events:
        if event.state == previous and event.pgh_label != "opened":
            continue
        meta = event.pgh_context.metadata if event.pgh_context else {}
        entries.append(
            AuditEvent(
                at=event.pgh_created_at,
                label=str(AUDIT_ACTIONS.get(meta.get("action", ""), event.pgh_label)),
                state=str(AuditState(event.state).label),
                who=meta.get("user_email")
                or (str(_("Trustmark (automatic)")) if meta.get("system") else ""),
                note=meta.get("note", ""),
            )
        )
        previous = event.state
    return entries


def audit_documents(audit: Audit) -> QuerySet[AuditDocument]:
    return (
        AuditDocument.objects.filter(audit=audit)
        .select_related("document")
        .order_by("-document__version")
    )


def audits_of_shop(shop: Any) -> QuerySet[Audit]:
    return Audit.objects.filter(shop=shop).order_by("-requested_at")[:10]
