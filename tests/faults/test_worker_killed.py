"""A real worker is killed with SIGKILL in the middle of the work; a new one finishes it once.

The worker stops at a named point (tests/worker_hold.py, installed only in the test's
worker process), the test kills it there, starts a second worker and runs the sweeper.

The killed task's message is not redelivered in the test: with a solo worker killed
outright, Redis gives an unacknowledged message back only after the visibility timeout
(an hour), so it is the sweeper that finishes the work; when the old message does come
back it finds the work done (checked below by running the task once more).

What we cannot promise: a worker killed after the mail server took an email but before
its row is marked sent sends it again. The second copy carries the same Message-ID.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from audits import services as audits
from audits.models import AuditDocument, DocumentRender
from audits.rendering import sweep_renders
from audits.tasks import render_audit_document
from certification.documents import document_is_genuine
from certification.models import VerificationDocument
from disputes import services
from notifications.models import OutgoingMessage
from notifications.tasks import message_id_header, send_pending_messages, sweep_outbox
from tests.audits.conftest import decide_all
from tests.worker import private_queue, start_worker, stop_worker

WAIT = 90  # seconds, for each thing a worker must do (two workers start in each test)
SEPARATOR = "-" * 79  # between the messages of one file (Django's file email backend)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="needs a broker: set CELERY_BROKER_URL (CI uses the local Redis)",
    ),
]


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {WAIT} s")


def kill_when_held(process: subprocess.Popen[bytes], marker: Path) -> None:
    """Wait until the worker reached its hold, then SIGKILL it: no cleanup runs."""
    wait_for("reach the hold", lambda: marker.exists() or process.poll() is not None)
    assert process.poll() is None, "the worker ended before reaching the hold"
    assert marker.read_text() == str(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


def sent_mails(mail_dir: Path) -> list[Message]:
    """Every email the file backend wrote, as parsed messages."""
    texts = [path.read_text() for path in sorted(mail_dir.iterdir())]
    chunks = [chunk.strip() for text in texts for chunk in text.split(SEPARATOR)]
    return [email.message_from_string(chunk) for chunk in chunks if chunk]


def claim_rows():
    return OutgoingMessage.objects.filter(template="claim_changed").order_by("pk")


def file_claim(buyer, guarantee) -> None:
    """File a claim (three emails) after sending, here, what the fixtures queued: their
    wake-ups went to a queue no worker reads, and the killed worker must hold a claim's."""
    send_pending_messages()
    assert not OutgoingMessage.objects.filter(status="pending").exists()
    services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="3000.00",
        description="The parcel never came.",
    )


def test_a_worker_killed_while_storing_a_document_leaves_one_document_after_the_sweeper(
    in_review, auditor, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # the workers get it too
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    shop_dir = settings.PRIVATE_MEDIA_ROOT / "documents" / in_review.shop.public_id
    marker = tmp_path / "held"
    with private_queue() as queue:
        first = start_worker(queue, tmp_path, hold="document_file_written", marker=marker)
        try:
            audit = audits.send_findings(audit=in_review, actor=auditor)
            kill_when_held(first, marker)
        finally:
            stop_worker(first)

        # The dead attempt wrote the PDF, but its row died with its transaction.
        promise = DocumentRender.objects.get(audit=audit, kind="findings", round=1)
        assert (promise.status, promise.attempts) == ("pending", 0)
        assert not VerificationDocument.objects.filter(shop=audit.shop).exists()
        assert [path.name for path in shop_dir.iterdir()] == ["v1.pdf"]

        assert sweep_renders(now=timezone.now() + timedelta(minutes=5)) == 1
        second = start_worker(queue, tmp_path)
        try:
            wait_for(
                "render the document",
                lambda: DocumentRender.objects.get(pk=promise.pk).status == "done",
            )
        finally:
            stop_worker(second)

    promise.refresh_from_db()
    assert promise.attempts == 1
    document = AuditDocument.objects.get(audit=audit, kind="findings", round=1).document
    assert VerificationDocument.objects.filter(shop=audit.shop).count() == 1
    assert sorted(shop_dir.iterdir()) == [Path(document.file.path)]  # the leftover replaced
    assert document_is_genuine(document, Path(document.file.path).read_bytes())
    # The killed task's message, given back by Redis an hour later, finds the work done.
    assert render_audit_document(audit.pk, "findings", 1) == "already rendered"
    assert VerificationDocument.objects.filter(shop=audit.shop).count() == 1


def file_claim_and_kill_worker(queue, mail_dir, hold: str, marker, buyer, guarantee) -> None:
    """File a claim while a worker runs that stops at `hold`; SIGKILL it there."""
    worker = start_worker(queue, mail_dir, hold=hold, marker=marker)
    try:
        file_claim(buyer, guarantee)
        kill_when_held(worker, marker)
    finally:
        stop_worker(worker)


def test_a_worker_killed_while_sending_claim_emails_sends_each_once_after_the_sweeper(
    guarantee, buyer, world, tmp_path
):
    mail_dir, marker = tmp_path / "mail", tmp_path / "held"
    mail_dir.mkdir()
    with private_queue() as queue:
        file_claim_and_kill_worker(
            queue, mail_dir, "email_before_handoff", marker, buyer, guarantee
        )

        assert [(r.status, r.attempts) for r in claim_rows()] == [("pending", 0)] * 3
        assert sent_mails(mail_dir) == []
        assert sweep_outbox(now=timezone.now() + timedelta(minutes=5)) == 3
        second = start_worker(queue, mail_dir)
        try:
            wait_for(
                "send the claim emails", lambda: not claim_rows().exclude(status="sent").exists()
            )
            time.sleep(2)  # the wake-ups and the sweeper's tasks still queued find nothing
        finally:
            stop_worker(second)

    assert [r.attempts for r in claim_rows()] == [1, 1, 1]
    mails = sent_mails(mail_dir)
    assert sorted(m["To"] for m in mails) == sorted(
        ["ines@example.org", world.alice.email, world.bob.email]
    )
    assert sorted(m["Message-ID"] for m in mails) == sorted(map(message_id_header, claim_rows()))


def test_a_worker_killed_after_handing_over_an_email_sends_it_again_with_the_same_id(
    guarantee, buyer, world, tmp_path
):
    """The window we cannot close: the mail left, the row's "sent" died with the worker."""
    mail_dir, marker = tmp_path / "mail", tmp_path / "held"
    mail_dir.mkdir()
    with private_queue() as queue:
        file_claim_and_kill_worker(queue, mail_dir, "email_after_handoff", marker, buyer, guarantee)

        assert [(r.status, r.attempts) for r in claim_rows()] == [("pending", 0)] * 3
        (left,) = sent_mails(mail_dir)  # one email went out before the kill
        assert sweep_outbox(now=timezone.now() + timedelta(minutes=5)) == 3
        second = start_worker(queue, mail_dir)
        try:
            wait_for(
                "send the claim emails", lambda: not claim_rows().exclude(status="sent").exists()
            )
            time.sleep(2)
        finally:
            stop_worker(second)

    rows = list(claim_rows())
    assert [r.attempts for r in rows] == [1, 1, 1]
    mails = sent_mails(mail_dir)
    assert len(mails) == 4  # each row once, and the one handed over before the kill again
    again = [m for m in mails if m["Message-ID"] == left["Message-ID"]]
    assert len(again) == 2
    assert again[0]["To"] == again[1]["To"] == left["To"]
    assert {m["Message-ID"] for m in mails} == {message_id_header(r) for r in rows}
