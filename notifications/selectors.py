"""The portal inbox: what was emailed to a person, read through these queries only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import OutgoingMessage

# Emails whose text is a credential (a password reset link): kept out of the portal,
# so that a borrowed session cannot turn into a new password.
NOT_IN_INBOX = ("password_reset",)


def inbox_of(user: Any) -> QuerySet[OutgoingMessage]:
    """The person's own messages, newest first; nobody else's, whoever asks."""
    if user is None or not getattr(user, "is_authenticated", False):
        return OutgoingMessage.objects.none()
    return (
        OutgoingMessage.objects.filter(recipient=user)
        .exclude(template__in=NOT_IN_INBOX)
        .only("pk", "subject", "body_text", "created_at", "read_at", "status", "to_email")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: Any) -> int:
    """One COUNT over the partial index of unread messages."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        OutgoingMessage.objects.filter(recipient=user, read_at__isnull=True)
        .exclude(template__in=NOT_IN_INBOX)
        .count()
    )


def get_message_for(user: Any, pk: int) -> OutgoingMessage:
    """The person's own message; anyone else's (or none) is a 404."""
    message = inbox_of(user).filter(pk=pk).first()
    if message is None:
        raise Http404("No such message.")
    return message
