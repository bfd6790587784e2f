"""The nightly computation and the refresh within a minute after events. Both idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from audits.models import Finding
from certification.models import Shop
from disputes.models import Claim, RecourseEntry
from guarantees.models import Guarantee
from quality.measures import today
from quality.models import RefreshMark
from quality.services import compute_shop, open_due_reviews, rank_day, thresholds
from reviews.models import Review

# Rows committed late (a long transaction) carry an updated_at before our last run:
# look back this far again. Recomputing a shop twice costs a little and changes nothing.
OVERLAP = timedelta(minutes=2)


def run_day(day: date, shop_ids: list[int] | None = None) -> int:
    """Compute the day for the given shops (default: every live shop); rows written."""
    limits = thresholds()
    shops = Shop.objects.live().order_by("pk")
    if shop_ids is not None:
        shops = shops.filter(pk__in=shop_ids)
    written = 0
    for shop in shops:
        written += compute_shop(shop, day, limits=limits)
    return written


@shared_task(acks_late=True, reject_on_worker_lost=True)
def nightly(day: str | None = None) -> dict[str, int]:
    """Every live shop's indicators for the certifier's day, percentiles, due mark reviews."""
    the_day = date.fromisoformat(day) if day else today()
    written = run_day(the_day)
    ranked = rank_day(the_day)
    opened = open_due_reviews(the_day)
    return {"rows": written, "ranked": ranked, "reviews_opened": opened}


def changed_shop_ids(since: timezone.datetime) -> set[int]:
    """Shops whose claims, guarantees, recourse, reviews or findings changed since then."""
    ids: set[int] = set()
    ids |= set(Claim.objects.filter(updated_at__gte=since).values_list("shop_id", flat=True))
    ids |= set(Review.objects.filter(updated_at__gte=since).values_list("shop_id", flat=True))
    ids |= set(Guarantee.objects.filter(updated_at__gte=since).values_list("shop_id", flat=True))
    ids |= set(
        RecourseEntry.objects.filter(created_at__gte=since).values_list("shop_id", flat=True)
    )
    ids |= set(
        Finding.objects.filter(updated_at__gte=since).values_list("audit__shop_id", flat=True)
    )
    return ids


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_changed() -> int:
    """Every minute: today's rows of the shops touched since the last run (one run at a time)."""
    started = timezone.now()
    with transaction.atomic():
        RefreshMark.objects.get_or_create(name="events", defaults={"last_run_at": started})
        mark = RefreshMark.objects.select_for_update(skip_locked=True).filter(name="events").first()
        if mark is None:  # another run holds it
            return 0
        shop_ids = changed_shop_ids(mark.last_run_at - OVERLAP)
        the_day = today()
        run_day(the_day, sorted(shop_ids))
        if shop_ids:
            open_due_reviews(the_day)
        mark.last_run_at = started
        mark.save(update_fields=["last_run_at"])
    return len(shop_ids)
