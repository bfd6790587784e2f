"""A buyer's copy of their data (GDPR art. 15 and 20): one JSON document.

Internal staff notes are left out: they are the certifier's working notes
about the case, not data the buyer gave or receives.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from privacy import data

GUARANTEE_FIELDS = [
    "number",
    "buyer_email",
    "buyer_name",
    "language",
    "order_reference",
    "amount",
    "currency",
    "purchase_date",
    "expected_delivery_date",
    "plan",
    "cover_amount",
    "cover_until",
    "channel",
    "state",
    "created_at",
]
CLAIM_FIELDS = [
    "number",
    "reason",
    "amount",
    "currency",
    "description",
    "state",
    "opened_at",
    "answer",
    "answer_text",
    "carrier",
    "tracking_number",
    "answered_at",
    "decision_amount",
    "decision_reason",
    "decided_at",
    "outcome_note",
    "ended_at",
]
REVIEW_FIELDS = [
    "subject",
    "stars",
    "title",
    "comment",
    "author_name",
    "author_email",
    "state",
    "experienced_on",
    "submitted_at",
    "published_at",
    "reply",
]
EMAIL_FIELDS = ["template", "to_email", "subject", "body_text", "status", "created_at", "sent_at"]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def export_for(email: str, user: Any | None = None) -> dict[str, Any]:
    """Everything held about the buyer of `email` (and `user`), as JSON-serialisable data."""
    guarantees = data.guarantees_of(email, user).select_related("shop").order_by("pk")
    claims = data.claims_of(email, user).order_by("pk")
    messages = data.messages_of(email, user).prefetch_related("attachments").order_by("pk")
    by_claim: dict[int, list[dict[str, Any]]] = {}
    for message in messages:
        by_claim.setdefault(message.claim_id, []).append(
            {
                "from": message.party,
                "body": message.body,
                "posted": _plain(message.created_at),
                "attachments": [
                    {"name": a.name, "content_type": a.content_type, "size": a.size}
                    for a in message.attachments.all()
                ],
            }
        )
    account = None
    if user is not None:
        account = {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "date_joined": _plain(user.date_joined),
        }
    return {
        "exported_at": _plain(timezone.now()),
        "email": data.normalise(email),
        "account": account,
        "guarantees": [{**_row(g, GUARANTEE_FIELDS), "shop": g.shop.domain} for g in guarantees],
        "claims": [
            {
                **_row(c, CLAIM_FIELDS),
                "guarantee": c.guarantee.number,
                "messages": by_claim.get(c.pk, []),
            }
            for c in claims.select_related("guarantee")
        ],
        "reviews": [_row(r, REVIEW_FIELDS) for r in data.reviews_of(email, user).order_by("pk")],
        "review_invitations": [
            {
                "order_reference": i.order_reference,
                "email": i.email,
                "name": i.name,
                "order_date": _plain(i.order_date),
                "state": i.state,
                "sent_at": _plain(i.sent_at),
            }
            for i in data.invitations_of(email, user).order_by("pk")
        ],
        "emails": [_row(m, EMAIL_FIELDS) for m in data.emails_to(email, user).order_by("pk")],
    }
