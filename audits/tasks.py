"""Audit tasks: render documents after commit, sweep renders left behind, lapse overdue
audits, open renewals."""

from __future__ import annotations

from celery import shared_task

from audits.rendering import render_document, sweep_renders
from audits.services import lapse_overdue_audits, open_renewal_audits


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_audit_document(audit_id: int, kind: str, round_: int) -> str:
    """Render and keep the document of one audit step, once, however often it runs."""
    return render_document(audit_id, kind, round_)


@shared_task
def sweep_document_renders() -> int:
    """Re-enqueue promised documents still not rendered (lost enqueue, dead worker, storage)."""
    return sweep_renders()


@shared_task
def lapse_audits() -> int:
    return lapse_overdue_audits()


@shared_task
def open_renewals() -> int:
    return open_renewal_audits()
