"""Audit tasks: render documents after commit, lapse overdue audits, open renewals."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from audits.document import render_pdf
from audits.models import Audit, AuditDocument
from audits.services import lapse_overdue_audits, open_renewal_audits
from certification.documents import store_verification_document


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_audit_document(audit_id: int, kind: str, round_: int) -> str:
    """Render and keep the document of one audit step, once, however often it runs."""
    with transaction.atomic():
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("shop__member", "criteria_set", "mark")
            .filter(pk=audit_id)
            .first()
        )
        if audit is None:
            return "no such audit"
        if AuditDocument.objects.filter(audit=audit, kind=kind, round=round_).exists():
            return "already rendered"
        pdf, language = render_pdf(audit, kind)
        document = store_verification_document(
            shop=audit.shop,
            pdf=pdf,
            language=language,
            kind=kind,
            reference=f"audit:{audit.pk}",
            mark=audit.mark,
        )
        AuditDocument.objects.create(audit=audit, document=document, kind=kind, round=round_)
    return "rendered"


@shared_task
def lapse_audits() -> int:
    return lapse_overdue_audits()


@shared_task
def open_renewals() -> int:
    return open_renewal_audits()
