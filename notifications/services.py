"""Queue an email inside the caller's transaction; a task sends it after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import OutgoingMessage


def render_email(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Subject and text body of `notifications/email/<template>`, in `language`."""
    ctx = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{template}_subject.txt", ctx, using="text")
        body = render_to_string(f"notifications/email/{template}.txt", ctx, using="text")
    return " ".join(subject.split()), body.strip() + "\n"


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "en",
    recipient: Any | None = None,
    dedupe_key: str | None = None,
) -> OutgoingMessage:
    """Write the message now; send it once the surrounding transaction commits.

    With a `dedupe_key`, queuing the same message twice keeps the first.
    """
    if dedupe_key:
        existing = OutgoingMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    subject, body = render_email(template, context, language)
    message = OutgoingMessage.objects.create(
        template=template,
        to_email=to,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body,
        dedupe_key=dedupe_key,
    )
    from notifications.tasks import send_outgoing_message

    transaction.on_commit(lambda: send_outgoing_message.delay(message.pk))
    return message


def mark_read(*, message: OutgoingMessage, reader: Any) -> bool:
    """The reader marks their own message as read; True for the call that did it.

    Compare-and-set: a second click (or a concurrent one) changes nothing and
    keeps the first time of reading.
    """
    updated = OutgoingMessage.objects.filter(
        pk=message.pk, recipient=reader, read_at__isnull=True
    ).update(read_at=timezone.now())
    return updated == 1


def mark_all_read(*, reader: Any) -> int:
    """Every unread message of the reader is read now; the number marked."""
    return OutgoingMessage.objects.filter(recipient=reader, read_at__isnull=True).update(
        read_at=timezone.now()
    )
