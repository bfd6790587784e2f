"""Queue an email inside the caller's transaction; a task sends it after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.sql import InsertedValue, JsonWith, OneStatement
from notifications import context_codec, wakeup
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
    render_in_worker: bool = False,
    statement: OneStatement | None = None,
) -> OutgoingMessage:
    """Write the message now; send it once the surrounding transaction commits.

    With a `dedupe_key`, queuing the same message twice keeps the first. With
    `render_in_worker`, the context is stored (notifications.context_codec) and the
    worker renders subject and body when it sends: for busy write paths whose
    recipient has no inbox to read the message in before it is sent. With a
    `statement` (core.sql.OneStatement), the row is inserted by that statement, and
    context values may be InsertedValue (made by the database in that statement).
    """
    if dedupe_key:
        existing = OutgoingMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    stored: Any = None
    if render_in_worker:
        late = {key: value for key, value in context.items() if isinstance(value, InsertedValue)}
        stored = context_codec.encode({k: v for k, v in context.items() if k not in late})
        stored = JsonWith(stored, **late) if late else stored
        subject = body = ""
    else:
        subject, body = render_email(template, context, language)
    message = OutgoingMessage(
        template=template,
        to_email=to,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body,
        context=stored,
        dedupe_key=dedupe_key,
    )
    if statement is not None:
        statement.add(message)
    else:
        message.save(force_insert=True)
    transaction.on_commit(lambda: wakeup.message_queued(message.pk))
    return message


def render_stored(message: OutgoingMessage) -> tuple[str, str]:
    """Subject and body of a message queued with `render_in_worker`."""
    with translation.override(message.language):
        context = context_codec.decode(message.context or {})
    return render_email(message.template, context, message.language)


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
