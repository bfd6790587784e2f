"""Idempotency-Key for API writes: the same key and body replay the first answer.

The row is claimed in its own transaction before the work starts, so of two
identical requests at once only one does the work: the other gets 409 while
it runs, and the stored answer once it is done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guarantees.models import ApiKey, IdempotentRequest


def body_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode(errors="replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    *, api_key: ApiKey, key: str, body: bytes, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Do `work` once per (API key, Idempotency-Key); replay its answer afterwards."""
    if not key or len(key) > 255:
        return 400, {
            "detail": _("Send an Idempotency-Key header (at most 255 characters)."),
            "field": "Idempotency-Key",
            "code": "idempotency_key_missing",
        }
    digest = body_hash(body)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(api_key=api_key, key=key, request_hash=digest)
    except IntegrityError:
        existing = IdempotentRequest.objects.get(api_key=api_key, key=key)
        if existing.request_hash != digest:
            return 422, {
                "detail": _("This Idempotency-Key was used with a different request body."),
                "field": "Idempotency-Key",
                "code": "idempotency_key_reused",
            }
        if existing.status_code is None:
            return 409, {
                "detail": _("A request with this Idempotency-Key is still being processed."),
                "field": "Idempotency-Key",
                "code": "idempotency_key_in_flight",
            }
        return existing.status_code, existing.response
    try:
        status, response = work()
    except Exception:
        record.delete()  # let the client retry with the same key
        raise
    IdempotentRequest.objects.filter(pk=record.pk).update(status_code=status, response=response)
    return status, response


def purge_old_requests(*, now: Any = None) -> int:
    """Forget stored answers older than IDEMPOTENCY_KEEP_HOURS (at least 24 hours)."""
    now = now or timezone.now()
    keep = timedelta(hours=max(24, settings.IDEMPOTENCY_KEEP_HOURS))
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=now - keep).delete()
    return deleted
