"""Reads for the pages, the API, the graphs and the verification page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from certification.models import Shop
from core.cache import cached
from quality.arithmetic import Zone
from quality.definitions import DEFINITIONS, Key
from quality.measures import today
from quality.models import MarkReview, QualityIndicator, ReviewState, ZoneState
from quality.notify import public_key

HISTORY_DAYS = 365


def latest_rows(shop_ids: list[int]) -> dict[int, dict[str, QualityIndicator]]:
    """Each shop's newest row per indicator (one query)."""
    rows = (
        QualityIndicator.objects.filter(shop_id__in=shop_ids)
        .order_by("shop_id", "key", "-day")
        .distinct("shop_id", "key")
    )
    found: dict[int, dict[str, QualityIndicator]] = {}
    for row in rows:
        found.setdefault(row.shop_id, {})[row.key] = row
    return found


def series(shop_id: int, *, until: date | None = None) -> dict[str, list[QualityIndicator]]:
    """Twelve months of rows per indicator, oldest first (one query)."""
    until = until or today()
    rows = QualityIndicator.objects.filter(
        shop_id=shop_id, day__gt=until - timedelta(days=HISTORY_DAYS), day__lte=until
    ).order_by("key", "day")
    found: dict[str, list[QualityIndicator]] = {key: [] for key in DEFINITIONS}
    for row in rows:
        found.setdefault(row.key, []).append(row)
    return found


def monthly(rows: list[QualityIndicator]) -> list[QualityIndicator]:
    """The last row of each month: the numbers table beside a graph."""
    by_month: dict[tuple[int, int], QualityIndicator] = {}
    for row in rows:
        by_month[(row.day.year, row.day.month)] = row
    return [by_month[k] for k in sorted(by_month)]


def alert_queue(*, market: str = "", key: str = "") -> QuerySet[ZoneState]:
    """Shops' indicators in red and yellow, newest change first (the staff queue)."""
    rows = ZoneState.objects.filter(zone__in=[Zone.RED, Zone.YELLOW]).select_related("shop__member")
    if market:
        rows = rows.filter(shop__target_market=market)
    if key:
        rows = rows.filter(key=key)
    return rows.order_by("-since", "-changed_at", "pk")


def open_reviews() -> QuerySet[MarkReview]:
    return MarkReview.objects.filter(state=ReviewState.OPEN).select_related("shop__member")


def reviews_queue(state: str = ReviewState.OPEN) -> QuerySet[MarkReview]:
    rows = MarkReview.objects.select_related("shop__member", "decided_by")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-opened_at")


def answer_band(hours: float) -> str:
    if hours <= 24:
        return "day"
    if hours <= 48:
        return "two_days"
    if hours <= 168:
        return "week"
    return "longer"


def _build_public(public_id: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    shop_id = Shop.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
    if shop_id is None:
        return facts
    rows = latest_rows([shop_id]).get(shop_id, {})

    def usable(key: str) -> QualityIndicator | None:
        row = rows.get(key)
        if row is None or row.zone == Zone.INSUFFICIENT or row.value is None:
            return None
        return row

    answer = usable(Key.ANSWER_HOURS)
    if settings.QUALITY_PUBLISH_ANSWER_TIME and answer is not None:
        facts["answer_band"] = answer_band(float(answer.value))
    resolved = usable(Key.CLAIMS_RESOLVED)
    if settings.QUALITY_PUBLISH_CLAIMS_RESOLVED and resolved is not None:
        facts["claims_resolved"] = round(float(resolved.value))
    grade = usable(Key.REVIEW_GRADE)
    if settings.QUALITY_PUBLISH_REVIEW_GRADE and grade is not None:
        facts["review_grade"] = str(grade.value.quantize(Decimal("0.01")))
        facts["review_count"] = grade.sample
    return facts


def public_facts(public_id: str) -> dict[str, Any]:
    """The published facts for the verification page: cached, forgotten when rows change."""
    return cached(public_key(public_id), lambda: _build_public(public_id), lambda _p: 300)
