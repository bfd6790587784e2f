"""Send outbox rows; re-enqueue rows a broker outage or a dead worker left behind."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.models import OutgoingMessage

MAX_ATTEMPTS = 8
SWEEP_AFTER = timedelta(minutes=2)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_outgoing_message(message_id: int) -> str:
    """Send one message at most once: the row lock and its status decide."""
    with transaction.atomic():
        message = (
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutgoingMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return "nothing to do"
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject, body=message.body_text, to=[message.to_email]
            ).send()
        except Exception as exc:
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutgoingMessage.Status.FAILED
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return "failed"
        message.status = OutgoingMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return "sent"


@shared_task
def sweep_outbox(limit: int = 500) -> int:
    """Re-enqueue pending rows that are due and older than a couple of minutes."""
    now = timezone.now()
    ids = list(
        OutgoingMessage.objects.filter(
            status=OutgoingMessage.Status.PENDING,
            next_attempt_at__lte=now,
            created_at__lte=now - SWEEP_AFTER,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in ids:
        send_outgoing_message.delay(message_id)
    return len(ids)
