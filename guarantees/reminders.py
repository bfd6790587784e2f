"""A week before the cover ends, ask the buyer whether all went well (once per guarantee)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.history import acting
from guarantees.links import page_url
from guarantees.models import Guarantee, GuaranteeState
from notifications.services import queue_email


def send_cover_reminders(*, today: date | None = None, limit: int = 500) -> int:
    """Mail every active guarantee whose cover ends within GUARANTEE_REMINDER_DAYS.

    Skips one registered in the last day (its confirmation just went out).
    Safe to run twice or in parallel: rows are locked and marked in one
    transaction, and the outbox keeps one message per guarantee.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.GUARANTEE_REMINDER_DAYS)
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Guarantee.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("shop")
            .filter(
                state=GuaranteeState.ACTIVE,
                reminder_sent_at__isnull=True,
                cover_until__gte=today,
                cover_until__lte=horizon,
                created_at__lt=now - timedelta(days=1),
            )
            .order_by("cover_until", "pk")[:limit]
        )
        for guarantee in due:
            queue_email(
                to=guarantee.buyer_email,
                recipient=guarantee.buyer,
                template="guarantee_reminder",
                language=guarantee.language,
                dedupe_key=f"guarantee-reminder:{guarantee.pk}",
                context={
                    "number": guarantee.number,
                    "shop": guarantee.shop.name,
                    "domain": guarantee.shop.display_domain,
                    "order_reference": guarantee.order_reference,
                    "cover_until": guarantee.cover_until,
                    "page_url": page_url(guarantee.number),
                },
            )
        with acting(None, "guarantee_reminder_sent"):
            Guarantee.objects.filter(pk__in=[g.pk for g in due]).update(reminder_sent_at=now)
    return len(due)
