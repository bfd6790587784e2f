"""Shop API keys: created by people with the cases right, shown once, stored as SHA-256.

`authenticate` answers from the two-level cache (core.cache) on a warm cache:
the key with its shop and plan, keyed by the key's prefix. Creating or revoking
a key, and changing its shop or the shop's plan, forget it once committed, so a
revoked key is refused by the next request; another web process may still
accept it for its per-process copy's life (PUBLIC_LOCAL_CACHE_SECONDS, 1 s).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, user_has_role
from certification.access import acts_for_shop
from certification.models import Area, Shop
from core.cache import cached, forget
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from guarantees.models import ApiKey

KEY_PREFIX = "tmk_"
KEY_TTL = 300  # a safety net only: every change forgets the cached key on commit
UNKNOWN_TTL = 60
UNKNOWN = "unknown"  # cached for a prefix no live key has
LAST_USED_EVERY = 60  # seconds: last_used_at is written at most once a minute per key


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_cases(actor: Any, shop: Shop) -> None:
    """Keys and the checkout secret are the merchant's own: not a mediator's."""
    if not acts_for_shop(actor, shop, Area.CASES):
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
    """The shop's people revoke a key; so may an administrator, when one has leaked."""
    if not user_has_role(actor, Role.ADMINISTRATOR):
        _require_cases(actor, key.shop)
    with transaction.atomic(), acting(actor, "api_key_revoked"):
        done = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not done:
            raise Conflict(_("This key is already revoked."))
        prefix = key.prefix
        transaction.on_commit(lambda: forget_keys(prefix))
    key.refresh_from_db()
    return key


def cache_key(prefix: str) -> str:
    return f"tm:apikey:v1:{prefix}"


def forget_keys(*prefixes: str) -> None:
    """Forget the cached keys with these prefixes (call it on commit)."""
    forget(*(cache_key(prefix) for prefix in prefixes))


def _load(prefix: str) -> ApiKey | str:
    key = (
        ApiKey.objects.select_related("shop", "shop__plan")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    return UNKNOWN if key is None else key


def authenticate(secret: str) -> ApiKey | None:
    """The live key behind a bearer token, or None; constant-time comparison."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = cached(
        cache_key(prefix),
        lambda: _load(prefix),
        lambda found: KEY_TTL if isinstance(found, ApiKey) else UNKNOWN_TTL,
    )
    if not isinstance(key, ApiKey) or not hmac.compare_digest(key.key_hash, _hash(secret)):
        return None
    return key


_noted: dict[int, float] = {}  # key id -> when this process last wrote its last_used_at


def note_use(key: ApiKey) -> None:
    """Record that the key was used: each process writes last_used_at at most once per key
    and LAST_USED_EVERY seconds, so it is never more than that out of date."""
    now = time.monotonic()
    if now - _noted.get(key.pk, -LAST_USED_EVERY) < LAST_USED_EVERY:
        return
    if len(_noted) > 10_000:
        _noted.clear()
    _noted[key.pk] = now
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
