"""What each indicator measures for one shop on one certifier day, from the domain's rows.

Reads claims, guarantees, payouts' recourse, reviews and audit findings; writes
nothing. Every window ends with the certifier's day (QUALITY_TIME_ZONE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Min, Q, Sum

from audits.models import AuditState, Finding, FindingResult
from disputes.models import Claim, ClaimState, RecourseEntry
from disputes.models.cases import UNDECIDED
from guarantees.models import Guarantee
from quality.arithmetic import median, wilson
from quality.definitions import DEFINITIONS, Key
from reviews.models import VISIBLE_STATES, Review, Subject
from reviews.ratings import shop_figures

THREE = Decimal("0.001")
# A claim this fresh is not counted as unresolved yet.
RESOLVE_GRACE_DAYS = 14
REPLY_HOURS = 48


@dataclass(frozen=True)
class Measure:
    key: str
    value: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None
    sample: int = 0


def certifier_zone() -> ZoneInfo:
    return ZoneInfo(settings.QUALITY_TIME_ZONE)


def day_end(day: date) -> datetime:
    """The first instant after the certifier's day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=certifier_zone())


def today() -> date:
    from django.utils import timezone

    return timezone.now().astimezone(certifier_zone()).date()


def _dec(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(THREE)


def rate(key: str, successes: int, n: int) -> Measure:
    """A proportion, scaled for display (per mille, per cent), with its Wilson interval."""
    scale = DEFINITIONS[key].scale
    found = wilson(successes, n)
    if found is None:
        return Measure(key, None, sample=0)
    p, low, high = found
    return Measure(key, _dec(p * scale), _dec(low * scale), _dec(high * scale), n)


def claim_measures(shop_id: int, day: date) -> list[Measure]:
    end = day_end(day)
    start90, start180 = end - timedelta(days=90), end - timedelta(days=180)
    claims = Claim.objects.filter(shop_id=shop_id)
    guarantees = Guarantee.objects.filter(
        shop_id=shop_id, created_at__gte=start90, created_at__lt=end
    ).count()
    filed = claims.filter(opened_at__gte=start90, opened_at__lt=end).count()

    decided = claims.filter(decided_at__gte=start180, decided_at__lt=end).aggregate(
        n=Count("pk"), for_buyer=Count("pk", filter=Q(decision_amount__isnull=False))
    )
    answered = list(
        claims.filter(answered_at__gte=start90, answered_at__lt=end).values_list(
            "opened_at", "answered_at"
        )
    )
    hours = [(a - o).total_seconds() / 3600 for o, a in answered]
    due = claims.filter(shop_due_at__gte=start90, shop_due_at__lt=min(end, _now())).aggregate(
        n=Count("pk"),
        in_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("shop_due_at"))),
    )
    ended = claims.filter(
        opened_at__gte=start180, opened_at__lt=end - timedelta(days=RESOLVE_GRACE_DAYS)
    ).aggregate(
        n=Count("pk"),
        resolved=Count("pk", filter=~Q(state__in=[*UNDECIDED, ClaimState.DECIDED_FOR_BUYER])),
    )
    answer_median = median(hours)
    return [
        rate(Key.CLAIM_RATE, filed, guarantees),
        rate(Key.BUYER_DECISIONS, decided["for_buyer"], decided["n"]),
        Measure(Key.ANSWER_HOURS, _dec(answer_median), sample=len(hours)),
        rate(Key.ANSWERED_IN_TIME, due["in_time"], due["n"]),
        rate(Key.CLAIMS_RESOLVED, ended["resolved"], ended["n"]),
    ]


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def recourse_measures(shop_id: int, day: date) -> list[Measure]:
    """Recourse entries are the shop's debt for paid claims: open on a day when recorded
    by then and not paid back by then."""
    end = day_end(day)
    open_then = Q(reimbursement__isnull=True) | Q(reimbursement__received_on__gt=day)
    agg = RecourseEntry.objects.filter(open_then, shop_id=shop_id, created_at__lt=end).aggregate(
        n=Count("pk"), total=Sum("amount"), oldest=Min("created_at")
    )
    age = 0 if agg["oldest"] is None else (end - agg["oldest"]).days
    return [
        Measure(Key.RECOURSE_AMOUNT, _dec(agg["total"] or 0), sample=agg["n"]),
        Measure(Key.RECOURSE_AGE, _dec(age), sample=agg["n"]),
    ]


def review_measures(shop_id: int, day: date) -> list[Measure]:
    now_figures = shop_figures(shop_id, day)
    before = shop_figures(shop_id, day - timedelta(days=90))
    grade, count = now_figures["grade"], now_figures["count"]
    change = None
    if grade is not None and before["grade"] is not None:
        change = grade - before["grade"]
    end = day_end(day)
    negative = Review.objects.filter(
        shop_id=shop_id,
        subject=Subject.SHOP,
        state__in=VISIBLE_STATES,
        archived_at__isnull=True,
        stars__lte=2,
        published_at__gte=end - timedelta(days=90),
        published_at__lt=end - timedelta(hours=REPLY_HOURS),
    ).aggregate(
        n=Count("pk"),
        unreplied=Count(
            "pk",
            filter=Q(replied_at__isnull=True)
            | Q(replied_at__gt=F("published_at") + timedelta(hours=REPLY_HOURS)),
        ),
    )
    return [
        Measure(Key.REVIEW_GRADE, _dec(grade), sample=count),
        Measure(Key.GRADE_CHANGE, _dec(change), sample=min(count, before["count"])),
        rate(Key.UNREPLIED_NEGATIVE, negative["unreplied"], negative["n"]),
    ]


def audit_measures(shop_id: int, day: date) -> list[Measure]:
    end = min(day_end(day), _now())
    overdue = Finding.objects.filter(
        audit__shop_id=shop_id,
        audit__state=AuditState.FINDINGS_SENT,
        audit__fix_due_at__lt=end,
        result=FindingResult.NOT_MET,
    ).count()
    return [Measure(Key.OVERDUE_FINDINGS, Decimal(overdue), sample=overdue)]


def measure_shop(shop_id: int, day: date) -> list[Measure]:
    """Every indicator of the shop on that day."""
    return [
        *claim_measures(shop_id, day),
        *recourse_measures(shop_id, day),
        *review_measures(shop_id, day),
        *audit_measures(shop_id, day),
    ]
