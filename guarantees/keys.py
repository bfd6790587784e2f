"""Shop API keys: created by people with the cases right, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import shops_with_right
from certification.models import Area, Shop
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from guarantees.models import ApiKey

KEY_PREFIX = "tmk_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_cases(actor: Any, shop: Shop) -> None:
    if not shops_with_right(actor, Area.CASES).filter(pk=shop.pk).exists():
        raise NotPermitted(_("You need the guarantee cases right on this shop."))


def create_api_key(
    *, shop: Shop, actor: Any, name: str, demo_secret: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for the shop; the returned secret is never shown again.

    `demo_secret` is for `load_demo` only, which prints a known key for the demo.
    """
    _require_cases(actor, shop)
    if not name.strip():
        raise DomainError(_("Give the key a name, e.g. the system that uses it."), field="name")
    if demo_secret is not None:
        prefix = demo_secret[len(KEY_PREFIX) :].split("_", 1)[0]
        secret = demo_secret
    else:
        prefix = secrets.token_hex(6)
        secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic(), acting(actor, "api_key_created"):
        key = ApiKey.objects.create(
            shop=shop,
            name=name.strip()[:100],
            prefix=prefix,
            key_hash=_hash(secret),
            created_by=actor,
        )
    return key, secret


def revoke_api_key(*, key: ApiKey, actor: Any) -> ApiKey:
    _require_cases(actor, key.shop)
    with transaction.atomic(), acting(actor, "api_key_revoked"):
        done = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not done:
            raise Conflict(_("This key is already revoked."))
    key.refresh_from_db()
    return key


def authenticate(secret: str) -> ApiKey | None:
    """The live key behind a bearer token, or None; constant-time comparison."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = (
        ApiKey.objects.select_related("shop", "shop__plan")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    return key
