"""Signed links for buyers without an account: their guarantee page and the opt-in confirmation.

The page link is a capability: whoever holds it sees and may cancel the
guarantee, as the buyer's inbox does. It carries the guarantee number signed
with SECRET_KEY (its own salt), so it cannot be forged or pointed elsewhere.
The confirmation link carries the whole purchase the buyer entered and
expires (GUARANTEE_CONFIRM_HOURS); nothing is stored until it is followed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

PAGE_SALT = "trustmark.guarantees.buyer-page"
CONFIRM_SALT = "trustmark.guarantees.buyer-confirm"


def page_token(number: str) -> str:
    """The same token every time for one guarantee (no timestamp): the link never changes."""
    return signing.Signer(salt=PAGE_SALT).sign_object(number)


def page_path(number: str) -> str:
    return reverse("guarantees:page", args=[page_token(number)])


def page_url(number: str) -> str:
    return f"{settings.SITE_URL}{page_path(number)}"


def number_from_page_token(token: str) -> str | None:
    try:
        number = signing.Signer(salt=PAGE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return number if isinstance(number, str) else None


def confirm_token(data: dict[str, Any]) -> str:
    return signing.dumps(data, salt=CONFIRM_SALT, compress=True)


def confirm_url(data: dict[str, Any]) -> str:
    return f"{settings.SITE_URL}{reverse('guarantees:confirm', args=[confirm_token(data)])}"


def data_from_confirm_token(token: str) -> dict[str, Any]:
    """The purchase in a confirmation link; raises signing.SignatureExpired / BadSignature."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.GUARANTEE_CONFIRM_HOURS * 3600)
    if not isinstance(data, dict):
        raise signing.BadSignature("not a purchase")
    return data
