"""The rating profile's arithmetic: grades, bands and the figures kept on ShopRating/ProductRating.

The overall grade is the mean of every criterion rating given in the last 12
months (so each criterion weighs by its number of ratings), rounded half up to
two decimals. Recomputed inside the transaction of every change that moves it,
and at night when the window moves, so the profile is never stale.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models import VISIBLE_STATES, Product, ProductRating, Review, ShopRating, Subject

TWO_PLACES = Decimal("0.01")

# (lowest grade of the band, English label, translatable label), best first.
BANDS = (
    (Decimal("4.50"), "Excellent", _("Excellent")),
    (Decimal("3.50"), "Good", _("Good")),
    (Decimal("2.50"), "Fair", _("Fair")),
    (Decimal("1.50"), "Poor", _("Poor")),
    (Decimal("1.00"), "Very poor", _("Very poor")),
)


def rounded(total: int | Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def band(grade: Decimal | None) -> tuple[str, Any] | None:
    """The band of a grade as (English label, translatable label); None without a grade."""
    if grade is None:
        return None
    for lowest, english, label in BANDS:
        if grade >= lowest:
            return english, label
    return BANDS[-1][1], BANDS[-1][2]


def window_start(today: date | None = None) -> date:
    """The first day counted: the same day twelve months ago."""
    return (today or timezone.localdate()) - relativedelta(months=12)


def visible(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews shown and counted: published (also while reported, unless hidden), not archived."""
    return reviews.filter(state__in=VISIBLE_STATES, hidden=False, archived_at__isnull=True)


def _distribution() -> dict[str, Count]:
    return {f"stars_{n}": Count("pk", filter=Q(stars=n)) for n in range(1, 6)}


def shop_figures(shop_id: int, today: date | None = None) -> dict[str, Any]:
    """Grade, count, criterion averages and star distribution of the shop's last 12 months."""
    start = window_start(today)
    rows = visible(Review.objects.filter(shop_id=shop_id, subject=Subject.SHOP)).filter(
        submitted_at__date__gte=start
    )
    agg = rows.aggregate(
        count=Count("pk"),
        service_sum=Sum("service"),
        service_n=Count("service"),
        delivery_sum=Sum("delivery"),
        delivery_n=Count("delivery"),
        product_sum=Sum("product_rating"),
        product_n=Count("product_rating"),
        **_distribution(),
    )
    total = sum(agg[f"{c}_sum"] or 0 for c in ("service", "delivery", "product"))
    ratings = sum(agg[f"{c}_n"] for c in ("service", "delivery", "product"))
    return {
        "grade": rounded(total, ratings),
        "count": agg["count"],
        "service": rounded(agg["service_sum"] or 0, agg["service_n"]),
        "delivery": rounded(agg["delivery_sum"] or 0, agg["delivery_n"]),
        "product": rounded(agg["product_sum"] or 0, agg["product_n"]),
        "distribution": {str(n): agg[f"stars_{n}"] for n in range(1, 6)},
        "window_start": start,
    }


def refresh_shop_rating(shop_id: int, today: date | None = None) -> ShopRating:
    """Write the shop's current figures; call inside the transaction of the change."""
    figures = shop_figures(shop_id, today)
    rating, _created = ShopRating.objects.update_or_create(
        shop_id=shop_id, defaults={**figures, "computed_at": timezone.now()}
    )
    from certification.verification import invalidate_shop

    transaction.on_commit(lambda: invalidate_shop(shop_id))  # the badge shows the stars
    from reviews.widgets import forget_shop

    transaction.on_commit(lambda: forget_shop(shop_id))  # and so does the review widget
    return rating


def product_figures(product_id: int) -> dict[str, Any]:
    rows = visible(Review.objects.filter(product_id=product_id, subject=Subject.PRODUCT))
    agg = rows.aggregate(count=Count("pk"), total=Sum("stars"), **_distribution())
    return {
        "average": rounded(agg["total"] or 0, agg["count"]),
        "count": agg["count"],
        "distribution": {str(n): agg[f"stars_{n}"] for n in range(1, 6)},
    }


def refresh_product_rating(product_id: int) -> ProductRating:
    figures = product_figures(product_id)
    rating, _created = ProductRating.objects.update_or_create(
        product_id=product_id, defaults={**figures, "computed_at": timezone.now()}
    )
    from reviews.signals import product_changed
    from reviews.widgets import forget_product

    transaction.on_commit(lambda: forget_product(product_id))  # the product widget

    product_changed.send(sender=Product, product_id=product_id)
    return rating


def refresh_for(review: Review) -> None:
    """Recompute whatever this review moves: its shop's profile or its product's rating."""
    if review.subject == Subject.PRODUCT and review.product_id:
        refresh_product_rating(review.product_id)
    else:
        refresh_shop_rating(review.shop_id)


def refresh_all(today: date | None = None) -> int:
    """Recompute every profile at night, when the 12-month window moves; the number refreshed."""
    done = 0
    shop_ids = set(Review.objects.values_list("shop_id", flat=True).distinct())
    shop_ids |= set(ShopRating.objects.values_list("shop_id", flat=True))
    for shop_id in sorted(shop_ids):
        with transaction.atomic():
            refresh_shop_rating(shop_id, today)
        done += 1
    return done
