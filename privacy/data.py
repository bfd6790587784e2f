"""What Trustmark holds about one buyer, found by their address (and account, if any).

Export and erasure both start here, so the two cannot disagree about whose
rows are the buyer's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from disputes.models import Attachment, Claim, Message, Party
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from reviews.models import Invitation, Review


def normalise(email: str) -> str:
    return email.strip().lower()


def guarantees_of(email: str, user: Any | None = None) -> QuerySet[Guarantee]:
    """The buyer's guarantees: registered to their address or to their account."""
    match = Q(buyer_email__iexact=normalise(email))
    if user is not None:
        match |= Q(buyer=user)
    return Guarantee.objects.filter(match)


def claims_of(email: str, user: Any | None = None) -> QuerySet[Claim]:
    return Claim.objects.filter(guarantee__in=guarantees_of(email, user))


def messages_of(email: str, user: Any | None = None) -> QuerySet[Message]:
    """The thread messages the buyer could read: every one not internal to staff."""
    return Message.objects.filter(claim__in=claims_of(email, user), internal=False)


def buyer_messages_of(email: str, user: Any | None = None) -> QuerySet[Message]:
    return Message.objects.filter(claim__in=claims_of(email, user), party=Party.BUYER)


def attachments_of(email: str, user: Any | None = None) -> QuerySet[Attachment]:
    return Attachment.objects.filter(message__in=buyer_messages_of(email, user))


def reviews_of(email: str, user: Any | None = None) -> QuerySet[Review]:
    match = Q(author_email__iexact=normalise(email)) | Q(guarantee__in=guarantees_of(email, user))
    if user is not None:
        match |= Q(author=user)
    return Review.objects.filter(match)


def invitations_of(email: str, user: Any | None = None) -> QuerySet[Invitation]:
    match = Q(email__iexact=normalise(email)) | Q(guarantee__in=guarantees_of(email, user))
    return Invitation.objects.filter(match)


def emails_to(email: str, user: Any | None = None) -> QuerySet[OutgoingMessage]:
    match = Q(to_email__iexact=normalise(email))
    if user is not None:
        match |= Q(recipient=user)
    return OutgoingMessage.objects.filter(match)
