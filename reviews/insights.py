"""What a shop's reviews tell it: the invitation funnel, themes per month, phrases, benchmark.

Every figure is aggregated in SQL over the shops the person may see (a member's
people: the shops with their `reviews` right; review moderators and
administrators: every shop), with a fixed number of queries however many
invitations and reviews there are.

- Funnel: invitations counted in the month they were scheduled (created), then
  how many of them were sent, delivered, clicked, reviewed and unsubscribed, from
  the timestamps the system records (no tracking pixel). Each step counts the
  invitations that reached it or a later one (a review proves the click), so a
  step never exceeds the one before. A cancelled invitation counts as scheduled,
  never sent.
- Themes: visible reviews per month of submission mentioning each theme, and
  their average stars.
- Benchmark: the shop's grade and share of negative reviews (1 or 2 stars) over the
  rating profile's 12 months, against the quartiles of the live shops with a grade
  in the same target market — only for groups of at least 10 shops. Members have
  no category in the data model, so the group is the target market alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth
from django.utils import timezone

from certification.models import Shop
from reviews import phrases, themes
from reviews.access import review_shops
from reviews.models import Invitation, Review, ShopRating
from reviews.ratings import visible

MIN_GROUP = 10
PHRASE_DAYS = 90
PHRASE_REVIEWS = 2000  # the latest reviews read for phrases, per side
BACKGROUND_TTL = 3600
NEGATIVE_MAX_STARS = 2
STEPS = ("scheduled", "sent", "delivered", "clicked", "reviewed", "unsubscribed")
# Each rate: (name, numerator, denominator).
RATES = (
    ("sent", "sent", "scheduled"),
    ("delivered", "delivered", "sent"),
    ("clicked", "clicked", "delivered"),
    ("reviewed", "reviewed", "clicked"),
    ("review_rate", "reviewed", "sent"),
    ("unsubscribed", "unsubscribed", "sent"),
)


def insight_shops(user: Any) -> QuerySet[Shop]:
    """The shops whose insights the person may see (staff: all)."""
    return review_shops(user)


def month_starts(months: int, today: date | None = None) -> list[date]:
    """The first days of the last `months` months, oldest first, this month included."""
    first = (today or timezone.localdate()).replace(day=1)
    return [first - relativedelta(months=n) for n in range(months - 1, -1, -1)]


def _as_month(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# -- funnel --------------------------------------------------------------------------------


@dataclass
class FunnelMonth:
    month: date
    counts: dict[str, int]
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    trends: dict[str, Decimal | None] = field(default_factory=dict)  # points vs the month before


LATER_STEPS = ("sent_at", "delivered_at", "clicked_at", "reviewed_at")


def _reached(step: str) -> Q:
    """The invitation got at least this far: a click proves the email arrived, a review
    proves the click, even when the earlier event was not recorded."""
    reached = Q()
    for later in LATER_STEPS[LATER_STEPS.index(step) :]:
        reached |= Q(**{f"{later}__isnull": False})
    return reached


def funnel(
    shops: QuerySet[Shop], *, months: int = 12, today: date | None = None
) -> list[FunnelMonth]:
    """The invitation funnel per month of scheduling, oldest first, with rates and trends."""
    starts = month_starts(months, today)
    since = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    rows = (
        Invitation.objects.filter(shop__in=shops, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            scheduled=Count("pk"),
            sent=Count("pk", filter=_reached("sent_at")),
            delivered=Count("pk", filter=_reached("delivered_at")),
            clicked=Count("pk", filter=_reached("clicked_at")),
            reviewed=Count("pk", filter=_reached("reviewed_at")),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        )
        .order_by("month")
    )
    by_month = {_as_month(row["month"]): row for row in rows}
    result: list[FunnelMonth] = []
    for start in starts:
        row = by_month.get(start, {})
        counts = {step: row.get(step, 0) for step in STEPS}
        rates = {name: _percent(counts[num], counts[den]) for name, num, den in RATES}
        previous = result[-1].rates if result else {}
        trends = {name: _change(rate, previous.get(name)) for name, rate in rates.items()}
        result.append(FunnelMonth(start, counts, rates, trends))
    return result


def _change(rate: Decimal | None, before: Decimal | None) -> Decimal | None:
    return rate - before if rate is not None and before is not None else None


def funnel_total(months: list[FunnelMonth]) -> FunnelMonth:
    counts = {step: sum(m.counts[step] for m in months) for step in STEPS}
    rates = {name: _percent(counts[num], counts[den]) for name, num, den in RATES}
    return FunnelMonth(months[0].month if months else timezone.localdate(), counts, rates)


# -- themes --------------------------------------------------------------------------------


@dataclass
class ThemeCell:
    month: date
    count: int
    stars: Decimal | None


@dataclass
class ThemeRow:
    code: str
    name: str
    cells: list[ThemeCell]
    total: int
    stars: Decimal | None


def _two(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def theme_codes(language: str) -> dict[str, str]:
    return themes.names(language)


def reviews_of(shops: QuerySet[Shop], subject: str = "") -> QuerySet[Review]:
    rows = visible(Review.objects.filter(shop__in=shops))
    return rows.filter(subject=subject) if subject else rows


def theme_months(
    shops: QuerySet[Shop],
    *,
    language: str,
    months: int = 12,
    subject: str = "",
    today: date | None = None,
) -> tuple[list[date], list[ThemeRow], list[int]]:
    """Per theme and month: reviews mentioning it and their average stars (one query)."""
    starts = month_starts(months, today)
    since = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    names = theme_codes(language)
    aggregates: dict[str, Any] = {"reviews": Count("pk")}
    for n, code in enumerate(names):
        mentions = Q(themes__contains=[code])
        aggregates[f"n{n}"] = Count("pk", filter=mentions)
        aggregates[f"s{n}"] = Avg("stars", filter=mentions)
    rows = (
        reviews_of(shops, subject)
        .filter(submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    by_month: dict[date | None, dict[str, Any]] = {
        _as_month(row["month"]): dict(row) for row in rows
    }
    none: dict[str, Any] = {}
    totals = [by_month.get(start, none).get("reviews", 0) for start in starts]
    table = []
    for n, (code, name) in enumerate(names.items()):
        cells = [
            ThemeCell(
                start,
                by_month.get(start, none).get(f"n{n}", 0),
                _two(by_month.get(start, none).get(f"s{n}")),
            )
            for start in starts
        ]
        total = sum(cell.count for cell in cells)
        weighted = sum((cell.stars or 0) * cell.count for cell in cells)
        table.append(ThemeRow(code, name, cells, total, _two(weighted / total) if total else None))
    return starts, table, totals


# -- phrases -------------------------------------------------------------------------------


def _texts(rows: QuerySet[Review]) -> list[tuple[str, str]]:
    picked = rows.order_by("-submitted_at").values_list(
        "title", "comment", "redacted_comment", "redacted_at", "language"
    )[:PHRASE_REVIEWS]
    return [
        (f"{title}\n{redacted if redacted_at else comment}", language)
        for title, comment, redacted, redacted_at, language in picked
    ]


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _background() -> phrases.Counts:
    """Every shop's phrases of the period, shared between requests for an hour."""
    key = f"reviews:insights:phrases:{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if found is None:
        rows = visible(Review.objects.all()).filter(submitted_at__gte=_since(PHRASE_DAYS))
        found = phrases.count(_texts(rows))
        cache.set(key, found, BACKGROUND_TTL)
    return found


def distinctive_phrases(
    shops: QuerySet[Shop], *, every_shop: bool, limit: int = 15
) -> list[phrases.Phrase]:
    """The phrases of the last 90 days most typical of these shops (of all, for staff)."""
    rows = reviews_of(shops).filter(submitted_at__gte=_since(PHRASE_DAYS))
    own = phrases.count(_texts(rows))
    return phrases.distinctive(own, None if every_shop else _background(), limit=limit)


# -- benchmark -----------------------------------------------------------------------------


class Quartiles(Aggregate):
    """PostgreSQL's percentile_cont at 25 %, 50 % and 75 % (continuous, interpolated)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(Cast(expression, FloatField()), **extra)


def _stars_in_distribution(stars: str) -> Any:
    # Not KT(): Django reads a key made of digits as an array index.
    text = Func(F("distribution"), Value(stars), function="jsonb_extract_path_text")
    return Coalesce(Cast(text, FloatField()), 0.0)


def negative_share() -> Any:
    """The share of 1- and 2-star reviews in the rating profile's distribution."""
    negatives = _stars_in_distribution("1") + _stars_in_distribution("2")
    return negatives / NullIf(Cast(F("count"), FloatField()), 0.0)


def ratings_compared() -> QuerySet[ShopRating]:
    """Profiles that take part in a benchmark: live shops with a grade."""
    return ShopRating.objects.filter(grade__isnull=False, shop__closed_at__isnull=True)


@dataclass
class Group:
    market: str
    shops: int
    grade: list[Decimal | None]  # lower quartile, median, upper quartile
    negative: list[Decimal | None]  # percent

    @property
    def comparable(self) -> bool:
        return self.shops >= MIN_GROUP


@dataclass
class Benchmark:
    shop: Shop
    grade: Decimal | None
    negative: Decimal | None  # percent
    count: int
    group: Group | None  # None: not enough comparable shops

    @property
    def grade_quarter(self) -> int | None:
        """1 (the best quarter of the group) to 4 (the worst); None without figures."""
        return _quarter(self.grade, self.group.grade if self.group else None, higher_better=True)

    @property
    def negative_quarter(self) -> int | None:
        return _quarter(
            self.negative, self.group.negative if self.group else None, higher_better=False
        )


def _quarter(
    value: Decimal | None, quartiles: list[Decimal | None] | None, *, higher_better: bool
) -> int | None:
    """1: the best quarter, 2: better than the median, 0: at the median, 3: worse, 4: the worst."""
    if value is None or not quartiles or any(q is None for q in quartiles):
        return None
    low, median, high = quartiles
    if value == median:
        return 0
    if higher_better:
        if value >= high:  # type: ignore[operator]
            return 1
        return 2 if value > median else (3 if value >= low else 4)  # type: ignore[operator]
    if value <= low:  # type: ignore[operator]
        return 1
    return 2 if value < median else (3 if value <= high else 4)  # type: ignore[operator]


def _quartiles(values: list[float] | None, *, scale: int = 1) -> list[Decimal | None]:
    if not values:
        return [None, None, None]
    return [_two(v * scale) if v is not None else None for v in values]


def _group(market: str, row: dict[str, Any]) -> Group:
    return Group(
        market=market,
        shops=row["shops"],
        grade=_quartiles(row["grade_q"]),
        negative=_quartiles(row["negative_q"], scale=100),
    )


def _group_figures(rows: QuerySet[ShopRating]) -> dict[str, Any]:
    return {
        "shops": Count("pk"),
        "grade_q": Quartiles("grade"),
        "negative_q": Quartiles(negative_share()),
    }


def benchmark(shop: Shop) -> Benchmark:
    """The shop against the shops of its target market (two queries)."""
    own = (
        ShopRating.objects.filter(shop=shop)
        .annotate(negative=negative_share())
        .values("grade", "count", "negative")
        .first()
    ) or {"grade": None, "count": 0, "negative": None}
    market = str(shop.target_market)
    peers = ratings_compared().filter(shop__target_market=market)
    row = peers.aggregate(**_group_figures(peers))
    group = _group(market, row)
    negative = own["negative"]
    return Benchmark(
        shop=shop,
        grade=own["grade"],
        negative=_two(negative * 100) if negative is not None else None,
        count=own["count"],
        group=group if group.comparable else None,
    )


def benchmark_groups() -> tuple[list[Group], int]:
    """Every target market's figures (for staff): groups of 10 shops or more, and how many
    smaller groups were left out (one query)."""
    rows = (
        ratings_compared()
        .values(market=F("shop__target_market"))
        .annotate(**_group_figures(ratings_compared()))
        .order_by("market")
    )
    groups = [_group(row["market"], dict(row)) for row in rows]
    shown = [group for group in groups if group.comparable]
    return shown, len(groups) - len(shown)
