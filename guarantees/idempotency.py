"""Idempotency-Key for API writes: the same key and body replay the first answer.

The answer is stored in the same transaction as the work, so the common case
(a new key) costs one INSERT and no extra read. The unique index on (API key,
Idempotency-Key) decides between requests:

- a key seen before: the work's transaction fails on the index and is rolled
  back whole, and the stored answer is replayed (a different body: 422);
- two identical requests at once: the second waits on the index (or on the
  order's unique index) until the first commits, then replays its answer;
- a refusal (DomainError: 4xx) is stored too, so the same key and body always
  get the first answer; an unexpected error stores nothing and the client may
  retry with the same key.
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

from core.errors import DomainError
from guarantees.models import ApiKey, IdempotentRequest

Answer = tuple[int, dict[str, Any]]


def body_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode(errors="replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(api_key: ApiKey, key: str, digest: str) -> Answer | None:
    """The stored answer for this key, a 422 for another body, or None when there is none."""
    stored = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != digest:
        return 422, {
            "detail": _("This Idempotency-Key was used with a different request body."),
            "field": "Idempotency-Key",
            "code": "idempotency_key_reused",
        }
    if stored.status_code is None:  # written by the previous claim-first scheme, never finished
        return 409, {
            "detail": _("A request with this Idempotency-Key is still being processed."),
            "field": "Idempotency-Key",
            "code": "idempotency_key_in_flight",
        }
    return stored.status_code, stored.response


AnswerRow = Callable[[int, Any], IdempotentRequest]


def run_once(*, api_key: ApiKey, key: str, body: bytes, work: Callable[[], Answer]) -> Answer:
    """Do `work` once per (API key, Idempotency-Key); replay its answer afterwards.

    `work` runs inside the transaction that stores its answer; it returns the answer
    or raises DomainError, which rolls its changes back and is stored as the answer.
    """

    def work_and_store(answer_row: AnswerRow) -> Answer:
        status, response = work()
        answer_row(status, response).save(force_insert=True)
        return status, response

    return run_once_writing(api_key=api_key, key=key, body=body, work=work_and_store)


def run_once_writing(
    *, api_key: ApiKey, key: str, body: bytes, work: Callable[[AnswerRow], Answer]
) -> Answer:
    """`run_once` for work that writes its stored answer itself, with its own rows.

    `work(answer_row)` runs inside a transaction and must insert the row
    `answer_row(status, response)` gives (the guarantee API writes it with the
    guarantee, in one statement); it returns the answer, or raises DomainError,
    which rolls its changes back and is stored as the answer instead.
    """
    if not key or len(key) > 255:
        return 400, {
            "detail": _("Send an Idempotency-Key header (at most 255 characters)."),
            "field": "Idempotency-Key",
            "code": "idempotency_key_missing",
        }
    digest = body_hash(body)

    def answer_row(status: int, response: Any) -> IdempotentRequest:
        return IdempotentRequest(
            api_key=api_key, key=key, request_hash=digest, status_code=status, response=response
        )

    try:
        try:
            with transaction.atomic():
                status, response = work(answer_row)
        except DomainError as refused:
            status, response = refused.status_code, refused.as_dict()
            with transaction.atomic():
                answer_row(status, response).save(force_insert=True)
    except IntegrityError:
        # The key was used before or by a request that just committed: its answer wins.
        stored = _replay(api_key, key, digest)
        if stored is None:
            raise
        return stored
    return status, response


def purge_old_requests(*, now: Any = None) -> int:
    """Forget stored answers older than IDEMPOTENCY_KEEP_HOURS (at least 24 hours)."""
    now = now or timezone.now()
    keep = timedelta(hours=max(24, settings.IDEMPOTENCY_KEEP_HOURS))
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=now - keep).delete()
    return deleted
