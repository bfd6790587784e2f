"""Retention windows (settings.RETENTION_*), enforced by the periodic task privacy.tasks.

Each step takes its rows with `select_for_update(skip_locked=True)` and only rows
not yet erased, so two runners never act on the same row and a second run finds
nothing to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from core.history import acting
from disputes.models import Claim
from disputes.models.cases import OPEN_CLAIM_STATES
from guarantees.models import Guarantee, GuaranteeState
from notifications.models import OutgoingMessage
from privacy.erasure import ERASED_TEXT, PROTECTIONS, erase_case_rows, pseudonym

BATCH = 200
ERASED_DOMAIN = "@erased.invalid"
ENDED_STATES = [GuaranteeState.CLOSED, GuaranteeState.EXPIRED, GuaranteeState.CANCELLED]


def erase_old_cases(now: datetime | None = None) -> int:
    """Guarantees ended more than RETENTION_CLOSED_CASE_DAYS ago lose the buyer's fields."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=settings.RETENTION_CLOSED_CASE_DAYS)
    open_claim = Claim.objects.filter(guarantee=OuterRef("pk"), state__in=OPEN_CLAIM_STATES)
    due = (
        Guarantee.objects.filter(state__in=ENDED_STATES, cover_until__lt=cutoff)
        .exclude(buyer_email__endswith=ERASED_DOMAIN)
        .exclude(Exists(open_claim))
        .annotate(last_end=Max("claims__ended_at"))
        .filter(Q(last_end__isnull=True) | Q(last_end__date__lt=cutoff))
    )
    erased = 0
    for pk in due.order_by("pk").values_list("pk", flat=True)[:BATCH]:
        with (
            transaction.atomic(),
            pgtrigger.ignore(*PROTECTIONS),
            acting(None, "personal_data_retention"),
        ):
            guarantee = (
                Guarantee.objects.select_for_update(skip_locked=True)
                .filter(pk=pk)
                .exclude(buyer_email__endswith=ERASED_DOMAIN)
                .first()
            )
            if guarantee is None:
                continue
            claims = list(
                Claim.objects.select_for_update().filter(guarantee=guarantee).order_by("pk")
            )
            if any(claim.is_open for claim in claims):
                continue
            erase_case_rows(
                [guarantee.pk], [c.pk for c in claims], pseudonym(guarantee.buyer_email)
            )
            erased += 1
    return erased


def _erase_bodies(rows: Any, *, address: bool = False) -> int:
    """Blank the rendered bodies and stored context of a batch of outbox rows.

    With `address`, the recipient's address is replaced by its pseudonym as well.
    """
    with transaction.atomic():
        locked = list(
            rows.exclude(status=OutgoingMessage.Status.PENDING)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "to_email")[:1000]
        )
        erased = {"subject": ERASED_TEXT, "body_text": ERASED_TEXT, "context": None}
        if not address:
            return OutgoingMessage.objects.filter(pk__in=[pk for pk, _ in locked]).update(**erased)
        for pk, to_email in locked:
            OutgoingMessage.objects.filter(pk=pk).update(to_email=pseudonym(to_email), **erased)
        return len(locked)


def erase_old_opt_in_emails(now: datetime | None = None) -> int:
    """Opt-in emails carry a whole purchase; past their window they are no longer needed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_UNCONFIRMED_GUARANTEE_DAYS)
    rows = OutgoingMessage.objects.filter(
        template="guarantee_confirm", created_at__lt=cutoff
    ).exclude(body_text=ERASED_TEXT)
    return _erase_bodies(rows, address=True)


def erase_old_email_bodies(now: datetime | None = None) -> int:
    """Sent or failed emails keep who, what template and when; not the words, after a while."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_OUTBOX_DAYS)
    rows = OutgoingMessage.objects.filter(created_at__lt=cutoff).exclude(body_text=ERASED_TEXT)
    return _erase_bodies(rows)


def enforce_retention(now: datetime | None = None) -> dict[str, int]:
    """Every retention window, once; what each step erased."""
    return {
        "cases": erase_old_cases(now),
        "opt_in_emails": erase_old_opt_in_emails(now),
        "email_bodies": erase_old_email_bodies(now),
    }
