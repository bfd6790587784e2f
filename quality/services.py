"""Writing the indicators: one day's rows, the zone changes and their alerts, mark reviews.

`store_day` is the one writer of indicator rows (the nightly task, the refresh
after events and the demo all call it). It is idempotent: the same measures for
the same day write the same rows, and a zone that did not change sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.roles import Role, require_role
from certification.marks import suspend_mark
from certification.models import LIVE_MARK_STATES, Shop, SuspensionReason, TrustMark
from core.errors import Conflict, DomainError
from core.history import acting
from quality.arithmetic import Zone, percentile_rank, zone_of
from quality.definitions import DEFINITIONS
from quality.measures import Measure, measure_shop
from quality.models import MarkReview, QualityIndicator, ReviewState, Threshold, ZoneState
from quality.notify import alert_zone_change, invalidate_public


def thresholds() -> dict[str, Threshold]:
    """The thresholds in force; missing rows fall back to the defaults (never saved here)."""
    rows = {t.key: t for t in Threshold.objects.all()}
    for key, d in DEFINITIONS.items():
        rows.setdefault(
            key,
            Threshold(
                key=key,
                higher_is_worse=d.higher_is_worse,
                yellow=d.yellow,
                red=d.red,
                min_sample=d.min_sample,
            ),
        )
    return rows


def judge(measure: Measure, threshold: Threshold) -> str:
    return zone_of(
        value=measure.value,
        low=measure.low,
        high=measure.high,
        sample=measure.sample,
        yellow=threshold.yellow,
        red=threshold.red,
        min_sample=threshold.min_sample,
        higher_is_worse=threshold.higher_is_worse,
    )


def store_day(
    shop: Shop,
    day: date,
    measures: Iterable[Measure],
    *,
    limits: dict[str, Threshold] | None = None,
    alerts: bool = True,
) -> list[QualityIndicator]:
    """Write the shop's rows for the day and move its zone states (alerting once per change)."""
    limits = limits or thresholds()
    now = timezone.now()
    written = []
    with transaction.atomic():
        for m in measures:
            zone = judge(m, limits[m.key])
            row, _created = QualityIndicator.objects.update_or_create(
                shop=shop,
                key=m.key,
                day=day,
                defaults={
                    "value": m.value,
                    "low": m.low,
                    "high": m.high,
                    "sample": m.sample,
                    "zone": zone,
                    "computed_at": now,
                },
            )
            written.append(row)
            _move_zone(shop, day, m, zone, limits[m.key], alerts=alerts)
        shop_id = shop.pk
        transaction.on_commit(lambda: invalidate_public(shop_id))
    return written


def _move_zone(
    shop: Shop, day: date, m: Measure, zone: str, threshold: Threshold, *, alerts: bool
) -> None:
    """Compare-and-set the shop's zone for this indicator; alert when it got worse."""
    figures = {"value": m.value, "low": m.low, "high": m.high, "sample": m.sample}
    state, created = ZoneState.objects.select_for_update().get_or_create(
        shop=shop, key=m.key, defaults={"zone": zone, "since": day, **figures}
    )
    previous = Zone.INSUFFICIENT if created else state.zone
    if not created:
        if state.zone == zone:
            if any(getattr(state, k) != v for k, v in figures.items()):
                ZoneState.objects.filter(pk=state.pk).update(**figures)
            return
        if day < state.since:  # an older day recomputed: the current zone stands
            return
        state.zone, state.since, state.changed_at = zone, day, timezone.now()
        for k, v in figures.items():
            setattr(state, k, v)
        state.save()
    worse = Zone.ORDER[zone] > Zone.ORDER[previous] and zone in (Zone.YELLOW, Zone.RED)
    if alerts and worse:
        alert_zone_change(shop, m, zone, day, threshold)


def compute_shop(shop: Shop, day: date, *, limits: dict[str, Threshold] | None = None) -> int:
    """Measure and store one shop's day; the number of rows written."""
    return len(store_day(shop, day, measure_shop(shop.pk, day), limits=limits))


def rank_day(day: date) -> int:
    """Each row's percentile among shops of the same target market (enough data only)."""
    rows = list(
        QualityIndicator.objects.filter(day=day)
        .exclude(zone=Zone.INSUFFICIENT)
        .select_related(None)
        .only("pk", "key", "value", "percentile", "shop__target_market")
        .select_related("shop")
    )
    groups: dict[tuple[str, str], list[QualityIndicator]] = {}
    for row in rows:
        groups.setdefault((row.key, str(row.shop.target_market)), []).append(row)
    changed = []
    for (key, _market), members in groups.items():
        worse_up = DEFINITIONS[key].higher_is_worse
        values = [float(r.value) for r in members if r.value is not None]
        for row in members:
            pct = (
                None
                if row.value is None
                else percentile_rank(float(row.value), values, higher_is_worse=worse_up)
            )
            if pct != row.percentile:
                row.percentile = pct
                changed.append(row)
    QualityIndicator.objects.bulk_update(changed, ["percentile"], batch_size=500)
    return len(changed)


def red_streak_start(shop_id: int, day: date) -> tuple[date, int] | None:
    """First day and length of the run of days, ending on `day`, with any indicator red."""
    red_days = set(
        QualityIndicator.objects.filter(
            shop_id=shop_id,
            zone=Zone.RED,
            day__lte=day,
            day__gt=day - timedelta(days=400),
        ).values_list("day", flat=True)
    )
    if day not in red_days:
        return None
    start = day
    while start - timedelta(days=1) in red_days:
        start -= timedelta(days=1)
    return start, (day - start).days + 1


def open_due_reviews(day: date) -> int:
    """Open a mark review for each shop red for QUALITY_RED_DAYS days up to `day` (once each)."""
    needed = settings.QUALITY_RED_DAYS
    opened = 0
    red_today = (
        QualityIndicator.objects.filter(day=day, zone=Zone.RED)
        .values_list("shop_id", flat=True)
        .distinct()
    )
    for shop_id in sorted(set(red_today)):
        streak = red_streak_start(shop_id, day)
        if streak is None or streak[1] < needed:
            continue
        if open_review(shop_id=shop_id, red_since=streak[0], day=day) is not None:
            opened += 1
    return opened


def _evidence(shop_id: int, day: date) -> list[dict[str, Any]]:
    rows = QualityIndicator.objects.filter(shop_id=shop_id, day=day, zone=Zone.RED).order_by("key")
    return [
        {
            "key": r.key,
            "value": str(r.value) if r.value is not None else None,
            "low": str(r.low) if r.low is not None else None,
            "high": str(r.high) if r.high is not None else None,
            "sample": r.sample,
            "zone": r.zone,
            "day": day.isoformat(),
        }
        for r in rows
    ]


def open_review(*, shop_id: int, red_since: date, day: date) -> MarkReview | None:
    """The case for this red episode, if none exists yet; None when it already does."""
    if MarkReview.objects.filter(shop_id=shop_id, red_since=red_since).exists():
        return None
    if MarkReview.objects.filter(shop_id=shop_id, state=ReviewState.OPEN).exists():
        return None
    try:
        with transaction.atomic(), acting(None, "mark_review_opened"):
            review = MarkReview.objects.create(
                shop_id=shop_id, red_since=red_since, evidence=_evidence(shop_id, day)
            )
    except IntegrityError:  # a concurrent run opened it
        return None
    return review


def decide_review(*, review: MarkReview, actor: Any, decision: str, reason: str) -> MarkReview:
    """An administrator suspends the shop's live mark, or dismisses the case, with a reason."""
    require_role(actor, Role.ADMINISTRATOR)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you decide so."), field="reason")
    if decision not in ("suspend", "dismiss"):
        raise DomainError(_("Choose to suspend the mark or to dismiss the case."), field="decision")
    with transaction.atomic():
        review = MarkReview.objects.select_for_update().select_related("shop").get(pk=review.pk)
        try:
            if decision == "suspend":
                review.suspend(actor, reason)
            else:
                review.dismiss(actor, reason)
        except TransitionNotAllowed as exc:
            raise Conflict(_("This case was already decided.")) from exc
        if decision == "suspend":
            mark = TrustMark.objects.filter(shop=review.shop, state__in=LIVE_MARK_STATES).first()
            if mark is None:
                raise Conflict(_("This shop has no live trust mark to suspend."))
            if mark.state != "suspended":
                suspend_mark(
                    mark=mark, actor=actor, reason=SuspensionReason.QUALITY_RED_ZONE, note=reason
                )
        with acting(actor, f"mark_review_{decision}", reason):
            review.save()
    return review


def update_threshold(
    *, threshold: Threshold, actor: Any, yellow: Decimal, red: Decimal, min_sample: int
) -> Threshold:
    """An administrator moves a threshold; a yellow stricter than red is refused."""
    require_role(actor, Role.ADMINISTRATOR)
    with transaction.atomic():
        threshold = Threshold.objects.select_for_update().get(pk=threshold.pk)
        threshold.yellow, threshold.red, threshold.min_sample = yellow, red, min_sample
        threshold.full_clean()
        with acting(actor, "threshold_changed"):
            threshold.save()
    return threshold
