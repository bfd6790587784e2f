"""The broker is unreachable when a buyer files a claim or an auditor sends findings.

The claim and its emails, the findings' document, are rows first (the outbox); once the
broker is back the sweepers send and render them. The broker is really unreachable here:
the app publishes to a closed port.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audits import services as audits
from audits.models import AuditDocument, DocumentRender
from audits.rendering import sweep_renders
from config.celery import app as celery_app
from disputes import services
from disputes.models import Claim
from notifications.models import OutgoingMessage
from notifications.tasks import sweep_outbox
from tests.audits.conftest import decide_all

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def broker_down() -> Iterator[None]:
    """Publish to a port nobody listens on, with a fresh connection pool; then restore."""
    conf = celery_app.conf
    saved = (conf.broker_write_url, conf.task_always_eager, conf.task_publish_retry_policy)
    conf.broker_write_url = "redis://127.0.0.1:1/0"  # the env wins over broker_url
    conf.task_always_eager = False
    conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0}
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_write_url, conf.task_always_eager, conf.task_publish_retry_policy = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


def test_a_claim_filed_while_the_broker_is_down_is_stored_and_notified_later(guarantee, buyer):
    mail.outbox.clear()
    with broker_down():
        claim = services.file_claim(
            actor=buyer,
            guarantee=guarantee,
            reason="not_delivered",
            amount="3000.00",
            description="The parcel never came.",
        )
    assert Claim.objects.filter(pk=claim.pk).exists()
    pending = OutgoingMessage.objects.filter(template="claim_changed", status="pending")
    assert pending.count() == 3
    pending.update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox() == 3
    assert len(mail.outbox) == 3
    assert sweep_outbox() == 0


def test_an_audit_step_taken_while_the_broker_is_down_gets_its_document_from_the_sweeper(
    in_review, auditor
):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    with broker_down():
        audit = audits.send_findings(audit=in_review, actor=auditor)  # no error after commit
    assert audit.state == "findings_sent"
    promise = DocumentRender.objects.get(audit=audit, kind="findings", round=1)
    assert promise.status == "pending"
    assert not AuditDocument.objects.filter(audit=audit).exists()
    assert sweep_renders(now=timezone.now() + timedelta(minutes=5)) == 1  # renders inline
    promise.refresh_from_db()
    assert promise.status == "done"
    assert AuditDocument.objects.filter(audit=audit).count() == 1
