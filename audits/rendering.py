"""Verification documents promised by an audit step: a row first, rendered after commit, once.

The step writes a DocumentRender row in its own transaction and enqueues the render
on commit. The render locks the audit, stores the document and marks the row done in
one transaction, so a worker killed mid-render leaves the row pending and nothing
committed; the sweeper (Celery beat) enqueues it again. A storage that refuses the
write leaves the row pending with the error and a later attempt time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from audits.document import render_pdf
from audits.models import Audit, AuditDocument, DocumentRender
from certification.documents import store_verification_document
from core.storage import StorageUnavailable

logger = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=2)  # a render normally takes seconds


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def promise_document(audit: Audit, kind: str) -> DocumentRender:
    """Inside the step's transaction: the row that says this document is owed."""
    promise, _created = DocumentRender.objects.get_or_create(
        audit=audit, kind=kind, round=audit.round
    )
    audit_id, round_ = audit.pk, audit.round
    transaction.on_commit(lambda: enqueue(audit_id, kind, round_))
    return promise


def enqueue(audit_id: int, kind: str, round_: int) -> None:
    """Ask a worker to render; with the broker down the row waits for the sweeper."""
    from audits.tasks import render_audit_document

    try:
        render_audit_document.delay(audit_id, kind, round_)
    except OperationalError:
        logger.warning("document render not published; the sweeper will enqueue it", exc_info=True)


def render_document(audit_id: int, kind: str, round_: int) -> str:
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
        promise = (
            DocumentRender.objects.select_for_update()
            .filter(audit=audit, kind=kind, round=round_)
            .first()
        )
        if AuditDocument.objects.filter(audit=audit, kind=kind, round=round_).exists():
            _done(promise)
            return "already rendered"
        try:
            with transaction.atomic():  # a refused write takes back the rows with it
                pdf, language = render_pdf(audit, kind)
                document = store_verification_document(
                    shop=audit.shop,
                    pdf=pdf,
                    language=language,
                    kind=kind,
                    reference=f"audit:{audit.pk}",
                    mark=audit.mark,
                )
                AuditDocument.objects.create(
                    audit=audit, document=document, kind=kind, round=round_
                )
        except StorageUnavailable as exc:
            logger.error("document of audit %s (%s) not stored", audit_id, kind, exc_info=True)
            if promise is not None:
                promise.attempts += 1
                promise.last_error = str(exc.__cause__ or exc)[:2000]
                promise.next_attempt_at = timezone.now() + _backoff(promise.attempts)
                promise.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return "storage refused"
        _done(promise)
    return "rendered"


def _done(promise: DocumentRender | None) -> None:
    if promise is None or promise.status == DocumentRender.Status.DONE:
        return
    promise.status = DocumentRender.Status.DONE
    promise.attempts += 1
    promise.done_at = timezone.now()
    promise.last_error = ""
    promise.save(update_fields=["status", "attempts", "done_at", "last_error"])


def sweep_renders(*, now: datetime | None = None, limit: int = 200) -> int:
    """Enqueue pending renders that are due and older than SWEEP_AFTER; the number enqueued.

    Each row is taken with skip_locked (a row being rendered is locked by its task) and
    its next attempt moved on by SWEEP_AFTER, so a second sweeper running at once finds
    nothing, and a render whose enqueue is lost again comes due later.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            DocumentRender.objects.select_for_update(skip_locked=True)
            .filter(
                status=DocumentRender.Status.PENDING,
                next_attempt_at__lte=now,
                created_at__lte=now - SWEEP_AFTER,
            )
            .order_by("next_attempt_at")
            .values_list("pk", "audit_id", "kind", "round")[:limit]
        )
        DocumentRender.objects.filter(pk__in=[row[0] for row in rows]).update(
            next_attempt_at=now + SWEEP_AFTER
        )
        for _pk, audit_id, kind, round_ in rows:
            transaction.on_commit(lambda a=audit_id, k=kind, r=round_: enqueue(a, k, r))
    return len(rows)
