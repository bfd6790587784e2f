"""A buyer registers a purchase on the verification page: double opt-in by email.

The request is checked in full at once (the buyer learns at the form what is
wrong), then a signed link goes to the address given; the guarantee is only
registered when that link is confirmed, so nobody can register guarantees for
someone else's address. Following the link twice shows the same guarantee.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from certification.models import Shop
from core.errors import Conflict, DomainError
from guarantees.links import confirm_url, data_from_confirm_token
from guarantees.models import Channel, Guarantee
from guarantees.services import Purchase, check_purchase, register_guarantee
from notifications.services import queue_email


def _already_registered(shop: Shop, reference: str) -> Conflict:
    return Conflict(
        _("Order %(reference)s is already registered.") % {"reference": reference},
        field="order_reference",
    )


def request_registration(*, shop: Shop, purchase: Purchase) -> str:
    """Check the purchase and mail the confirmation link; returns the address it went to."""
    checked = check_purchase(shop=shop, purchase=purchase, channel=Channel.BUYER)
    if Guarantee.objects.filter(shop=shop, order_reference=checked.reference).exists():
        raise _already_registered(shop, checked.reference)
    data = {
        "shop": shop.public_id,
        "order_reference": checked.reference,
        "amount": str(checked.amount),
        "currency": checked.currency,
        "buyer_email": checked.email,
        "buyer_name": (purchase.buyer_name or "").strip()[:200],
        "purchase_date": purchase.purchase_date.isoformat(),
        "plan": purchase.plan,
        "language": checked.language,
    }
    queue_email(
        to=checked.email,
        template="guarantee_confirm",
        language=checked.language,
        context={
            "shop": shop.name,
            "domain": shop.display_domain,
            "order_reference": checked.reference,
            "amount": checked.amount,
            "currency": checked.currency,
            "confirm_url": confirm_url(data),
        },
    )
    return checked.email


def pending_purchase(token: str) -> tuple[Shop, Purchase]:
    """The shop and purchase in a confirmation link, or a DomainError saying why not."""
    try:
        data = data_from_confirm_token(token)
    except signing.SignatureExpired as exc:
        raise DomainError(
            _("This confirmation link has expired. Register the purchase again."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(
            _("This confirmation link is not valid. Copy the whole link from the email."),
            code="bad_signature",
        ) from exc
    shop = Shop.objects.select_related("plan").filter(public_id=data.get("shop")).first()
    if shop is None:
        raise DomainError(_("This shop is no longer a Trustmark member."), code="unknown_shop")
    purchase = Purchase(
        order_reference=data["order_reference"],
        amount=data["amount"],
        currency=data["currency"],
        buyer_email=data["buyer_email"],
        buyer_name=data.get("buyer_name", ""),
        purchase_date=date.fromisoformat(data["purchase_date"]),
        plan=data.get("plan", "basic"),
        language=data.get("language", ""),
    )
    return shop, purchase


def confirm_registration(*, token: str, buyer: Any | None = None) -> Guarantee:
    """Register the purchase of a confirmation link; the same link again shows the same one."""
    shop, purchase = pending_purchase(token)
    existing = Guarantee.objects.filter(
        shop=shop, order_reference=purchase.order_reference.strip()
    ).first()
    if existing is not None:
        if existing.buyer_email == purchase.buyer_email and existing.channel == Channel.BUYER:
            return existing
        raise _already_registered(shop, existing.order_reference)
    if buyer is not None and buyer.email.lower() != purchase.buyer_email:
        buyer = None  # signed in as someone else: the guarantee stays the address owner's
    return register_guarantee(shop=shop, purchase=purchase, channel=Channel.BUYER, buyer=buyer)
