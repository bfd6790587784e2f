"""Send outbox rows; re-enqueue rows a broker outage or a dead worker left behind."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parseaddr

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.models import OutgoingMessage, WebhookAttempt, WebhookDelivery
from notifications.services import render_stored

MAX_ATTEMPTS = 8
SWEEP_AFTER = timedelta(minutes=2)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_outgoing_message(message_id: int) -> str:
    """Send one message at most once: the row lock and its status decide."""
    return send_one(message_id)


PENDING_BATCH = 200


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_pending_messages(limit: int = PENDING_BATCH) -> int:
    """Send every due message (the web processes' wake-up, notifications.wakeup).

    Each row is sent by `send_one` under its own lock, so two of these running at
    once, or beside `send_outgoing_message`, still send each row once. A full batch
    queues another run for the rest.
    """
    ids = list(
        OutgoingMessage.objects.filter(
            status=OutgoingMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(send_one(message_id) == "sent" for message_id in ids)
    if len(ids) == limit:
        send_pending_messages.delay(limit)
    return sent


def message_id_header(message: OutgoingMessage) -> str:
    """The same Message-ID on every attempt at one row.

    A worker that dies after the mail server took a message but before the row is marked
    sent rolls the mark back, and the sweeper sends it again: nothing can prevent that
    second copy, but it carries the first one's id, so mail systems can tell it apart.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "trustmark.invalid"
    return f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def send_one(message_id: int) -> str:
    """Render (when the message left it to the worker) and send one pending message."""
    with transaction.atomic():
        message = (
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutgoingMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return "nothing to do"
        fields = ["attempts", "status", "last_error"]
        if message.context is not None:
            message.subject, message.body_text = render_stored(message)
            message.context = None
            fields += ["subject", "body_text", "context"]
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body_text,
                to=[message.to_email],
                headers={"Message-ID": message_id_header(message)},
            ).send()
        except Exception as exc:
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutgoingMessage.Status.FAILED
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            message.save(update_fields=[*fields, "next_attempt_at"])
            return "failed"
        message.status = OutgoingMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=[*fields, "sent_at"])
    return "sent"


@shared_task
def sweep_outbox(limit: int = 500, now: datetime | None = None) -> int:
    """Re-enqueue pending rows that are due and older than a couple of minutes.

    `now` lets a test run the sweep as it would run later, instead of ageing rows by hand.
    """
    now = now or timezone.now()
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


# --- Webhooks ----------------------------------------------------------------------------

# Waits after the 1st, 2nd, ... failed attempt; after the last, the delivery has failed.
WEBHOOK_RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_RETRY_SCHEDULE) + 1
_jitter = random.SystemRandom()


def webhook_retry_delay(failed_attempts: int) -> timedelta:
    """The wait after that many failures: the schedule plus up to 10 % jitter."""
    base = WEBHOOK_RETRY_SCHEDULE[failed_attempts - 1]
    return base + timedelta(seconds=_jitter.uniform(0, base.total_seconds() * 0.1))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one delivery; the row lock and its state make it happen once.

    The lock is held over the POST (at most 3 s + 10 s), as the email sender does; a
    second worker skips the row instead of waiting.
    """
    from notifications import webhooks

    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("event", "endpoint")
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return "nothing to do"
        now = timezone.now()
        if delivery.next_attempt_at > now:
            return "not due"
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.save(update_fields=["state"])
            return "endpoint disabled"
        body = webhooks.event_body(delivery.event)
        headers = webhooks.signature_headers(endpoint, delivery.event.event_id, body, now)
        result = webhooks.post(endpoint.url, body, headers)
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            response_excerpt=result.excerpt,
            error=result.error,
        )
        delivery.attempts += 1
        delivery.last_status = result.status_code
        if delivery.event.type != "ping":
            webhooks.note_outcome(endpoint, result.ok, now)
        if result.ok:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            outcome = "delivered"
        elif delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
            delivery.state = WebhookDelivery.State.FAILED
            outcome = "failed"
        else:
            delivery.next_attempt_at = timezone.now() + webhook_retry_delay(delivery.attempts)
            outcome = "retry"
        delivery.save(
            update_fields=["attempts", "last_status", "state", "delivered_at", "next_attempt_at"]
        )
    return outcome


@shared_task
def retry_due_webhooks(limit: int = 500) -> int:
    """Enqueue pending deliveries whose next attempt is due (retries, lost tasks)."""
    ids = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@shared_task
def purge_webhook_attempts() -> int:
    """Forget attempts older than WEBHOOK_ATTEMPT_KEEP_DAYS; the number removed."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOK_ATTEMPT_KEEP_DAYS)
    deleted, _ = WebhookAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
