"""Emails about a case, each in its recipient's language, queued in the caller's transaction.

The buyer reads theirs in the language they chose when filing, the shop's
people in the shop's language, staff in their account's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Role
from certification.access import people_with_right
from certification.models import Area
from disputes.models import Claim, Party
from guarantees.links import page_url
from notifications.services import queue_email

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _language(code: str) -> str:
    return code if code in SUPPORTED else "en"


def portal_url(claim: Claim) -> str:
    return settings.SITE_URL + reverse("disputes:case", args=[claim.number])


def buyer_url(claim: Claim) -> str:
    return page_url(claim.guarantee.number)


def _context(claim: Claim, event: str, url: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": event,
        "number": claim.number,
        "guarantee": claim.guarantee.number,
        "order_reference": claim.guarantee.order_reference,
        "shop": claim.shop.name,
        "domain": claim.shop.display_domain,
        "amount": claim.amount,
        "currency": claim.currency,
        "due": claim.shop_due_at,
        "info_due": claim.info_due_at,
        "question": claim.info_question,
        "decision_amount": claim.decision_amount,
        "decision_reason": claim.decision_reason,
        "url": url,
        **extra,
    }


def mediators_for(claim: Claim) -> list[Any]:
    """The assigned mediator, or every active mediator while nobody has taken the case."""
    if claim.mediator_id:
        return [claim.mediator]
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MEDIATOR)
        .distinct()
        .order_by("email")
    )


def tell(
    claim: Claim,
    event: str,
    parties: Iterable[str],
    *,
    exclude: Any | None = None,
    **extra: Any,
) -> None:
    """Queue the event's email to every person of the given parties (but not `exclude`)."""
    parties = set(parties)
    if Party.BUYER in parties:
        queue_email(
            to=claim.guarantee.buyer_email,
            recipient=claim.guarantee.buyer,
            template="claim_changed",
            language=_language(claim.language),
            context=_context(claim, event, buyer_url(claim), {**extra, "party": Party.BUYER}),
        )
    people: list[tuple[Any, str, str]] = []
    if Party.SHOP in parties:
        people += [(p, _language(claim.shop.language), Party.SHOP) for p in _shop_people(claim)]
    if Party.STAFF in parties:
        people += [(p, _language(p.language), Party.STAFF) for p in mediators_for(claim)]
    for person, language, party in people:
        if exclude is not None and person.pk == getattr(exclude, "pk", None):
            continue
        queue_email(
            to=person.email,
            recipient=person,
            template="claim_changed",
            language=language,
            context=_context(claim, event, portal_url(claim), {**extra, "party": party}),
        )


def _shop_people(claim: Claim) -> list[Any]:
    return people_with_right(claim.shop, Area.CASES)
