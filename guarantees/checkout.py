"""The signed checkout link: a shop's order-confirmation page sends its buyer to us.

The link carries the purchase and an HMAC-SHA256 signature made with the
shop's checkout secret. The secret is derived from the server's SECRET_KEY,
the shop's public id and a rotation counter, so it is never stored: rotating
it (a new counter) makes every old link invalid.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import Shop
from core.errors import DomainError
from core.history import acting
from guarantees.keys import _require_cases
from guarantees.models import CheckoutSecret

FIELDS = ("shop", "order", "amount", "currency", "email", "date", "expires")


def shop_secret(shop: Shop) -> str:
    """The shop's current checkout secret (shown to its people in the portal)."""
    rotation = (
        CheckoutSecret.objects.filter(shop=shop).values_list("rotation", flat=True).first() or 0
    )
    material = f"trustmark.checkout:{shop.public_id}:{rotation}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).hexdigest()
    return f"tmc_{digest}"


def rotate_secret(*, shop: Shop, actor: Any) -> str:
    """A new checkout secret; links signed with the old one stop working."""
    _require_cases(actor, shop)
    with transaction.atomic(), acting(actor, "checkout_secret_rotated"):
        row, _created = CheckoutSecret.objects.get_or_create(shop=shop)
        CheckoutSecret.objects.filter(pk=row.pk).update(rotation=F("rotation") + 1)
    return shop_secret(shop)


def canonical(params: dict[str, str]) -> bytes:
    """The signed message: the fields in a fixed order, joined by newlines."""
    return "\n".join(params.get(name, "") for name in FIELDS).encode()


def sign(params: dict[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(params), hashlib.sha256).hexdigest()


def checkout_url(
    *,
    shop: Shop,
    order: str,
    amount: str,
    currency: str,
    email: str,
    purchase_date: date,
    valid_seconds: int = 7 * 24 * 3600,
) -> str:
    """Build a link the way a shop's checkout does (used by the demo and the tests)."""
    params = {
        "shop": shop.public_id,
        "order": order,
        "amount": amount,
        "currency": currency,
        "email": email,
        "date": purchase_date.isoformat(),
        "expires": str(int(time.time()) + valid_seconds),
    }
    params["sig"] = sign(params, shop_secret(shop))
    return settings.SITE_URL + reverse("guarantees:checkout") + "?" + urlencode(params)


@dataclass(frozen=True)
class CheckoutLink:
    shop: Shop
    order: str
    amount: str
    currency: str
    email: str
    purchase_date: date


def read_link(query: dict[str, str], *, now: float | None = None) -> CheckoutLink:
    """Check the signature and expiry; a tampered or expired link says so."""
    missing = [name for name in (*FIELDS, "sig") if not query.get(name)]
    if missing:
        raise DomainError(
            _("This checkout link is incomplete (missing: %(fields)s).")
            % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    shop = Shop.objects.live().select_related("plan").filter(public_id=query["shop"]).first()
    if shop is None:
        raise DomainError(_("This checkout link names no Trustmark shop."), code="unknown_shop")
    params = {name: query[name] for name in FIELDS}
    expected = sign(params, shop_secret(shop))
    if not hmac.compare_digest(expected, query["sig"]):
        raise DomainError(
            _("This checkout link was changed or is not signed by the shop: it cannot be used."),
            code="bad_signature",
        )
    try:
        expires = int(query["expires"])
        purchase_date = date.fromisoformat(query["date"])
    except ValueError as exc:
        raise DomainError(_("This checkout link is malformed."), code="malformed") from exc
    if expires < (now or time.time()):
        raise DomainError(
            _(
                "This checkout link has expired. Ask the shop for a new one, or register the "
                "purchase yourself on the shop's verification page."
            ),
            code="expired",
        )
    return CheckoutLink(
        shop=shop,
        order=query["order"],
        amount=query["amount"],
        currency=query["currency"],
        email=query["email"],
        purchase_date=purchase_date,
    )
