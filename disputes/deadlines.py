"""Deadlines on cases, moved on by a periodic task. Each step is idempotent and safe in parallel:
rows are taken with SKIP LOCKED and marked in the same transaction, so a second run finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.history import acting
from disputes.models import OPEN_CLAIM_STATES, Claim, ClaimState, Party
from disputes.notify import tell
from disputes.webhooks import emit_claim

BATCH = 500


def _each(
    rows: QuerySet[Claim], action: str, step: Callable[[Claim], None], *, limit: int = BATCH
) -> int:
    with transaction.atomic():
        due = list(
            rows.select_for_update(skip_locked=True, of=("self",))
            .select_related("guarantee", "shop", "mediator")
            .order_by("pk")[:limit]
        )
        with acting(None, action):
            for claim in due:
                step(claim)
    return len(due)


def remind_shops(now: datetime) -> int:
    """Two days (CLAIM_SHOP_REMINDER_DAYS) before its deadline, the shop is reminded once."""

    def step(claim: Claim) -> None:
        claim.shop_reminded_at = now
        claim.save(update_fields=["shop_reminded_at", "updated_at"])
        tell(claim, "shop_reminder", [Party.SHOP])
        emit_claim("claim.shop_reminded", claim)

    rows = Claim.objects.filter(
        state=ClaimState.AWAITING_SHOP,
        shop_reminded_at__isnull=True,
        shop_due_at__gt=now,
        shop_due_at__lte=now + timedelta(days=settings.CLAIM_SHOP_REMINDER_DAYS),
    )
    return _each(rows, "claim_shop_reminded", step)


def escalate_unanswered(now: datetime) -> int:
    """At its deadline an unanswered case goes to mediation."""

    def step(claim: Claim) -> None:
        claim.escalate()
        claim.save()
        tell(claim, "escalated", [Party.BUYER, Party.SHOP, Party.STAFF])
        emit_claim("claim.escalated", claim)

    rows = Claim.objects.filter(state=ClaimState.AWAITING_SHOP, shop_due_at__lte=now)
    return _each(rows, "claim_escalated", step)


def end_information_waits(now: datetime) -> int:
    """When the time to give information has passed, the mediator goes on without it."""

    def step(claim: Claim) -> None:
        claim.resume_mediation()
        claim.save()
        tell(claim, "information_overdue", [Party.STAFF])

    rows = Claim.objects.filter(state=ClaimState.AWAITING_INFORMATION, info_due_at__lte=now)
    return _each(rows, "claim_information_overdue", step)


def warn_old_cases(now: datetime) -> int:
    """Mediators hear once of a case older than the target age (CLAIM_TARGET_DAYS)."""

    def step(claim: Claim) -> None:
        claim.age_warned_at = now
        claim.save(update_fields=["age_warned_at", "updated_at"])
        tell(claim, "age_warning", [Party.STAFF], days=settings.CLAIM_TARGET_DAYS)

    rows = Claim.objects.filter(
        state__in=OPEN_CLAIM_STATES,
        age_warned_at__isnull=True,
        opened_at__lte=now - timedelta(days=settings.CLAIM_TARGET_DAYS),
    )
    return _each(rows, "claim_age_warning", step)


def flag_outcome_overdue(now: datetime) -> int:
    """A case open longer than the ADR limit (90 days) is flagged, and mediators told, once."""

    def step(claim: Claim) -> None:
        claim.overdue_flagged_at = now
        claim.save(update_fields=["overdue_flagged_at", "updated_at"])
        tell(claim, "outcome_overdue", [Party.STAFF], days=settings.CLAIM_OUTCOME_LIMIT_DAYS)

    rows = Claim.objects.filter(
        state__in=OPEN_CLAIM_STATES,
        overdue_flagged_at__isnull=True,
        opened_at__lte=now - timedelta(days=settings.CLAIM_OUTCOME_LIMIT_DAYS),
    )
    return _each(rows, "claim_outcome_overdue", step)


def run_all(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "reminded": remind_shops(now),
        "escalated": escalate_unanswered(now),
        "information_overdue": end_information_waits(now),
        "age_warned": warn_old_cases(now),
        "flagged": flag_outcome_overdue(now),
    }
