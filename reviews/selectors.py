"""Public reads of reviews: a shop's and a product's reviews, their figures, rated products.

Pages, widgets and the public API start here. Only what the public may see:
live shops, visible reviews (published, also while reported unless hidden,
partly removed with the shown text), and removed reviews as placeholders on
the profile pages. Every list takes a fixed number of queries, whatever its
length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from certification.models import Shop
from reviews.models import (
    CRITERIA,
    VISIBLE_STATES,
    Product,
    ProductRating,
    Review,
    ReviewPhoto,
    ReviewSettings,
    ReviewState,
    ShopRating,
    Subject,
)

PUBLIC_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
CRITERION_FIELDS = {"service": "service", "delivery": "delivery", "product": "product_rating"}
PUBLIC_REVIEW_FIELDS = (
    "id",
    "subject",
    "shop_id",
    "product_id",
    "label",
    "mode",
    "stars",
    "service",
    "delivery",
    "product_rating",
    "title",
    "comment",
    "redacted_comment",
    "redacted_at",
    "language",
    "experienced_on",
    "author_name",
    "state",
    "hidden",
    "archived_at",
    "removal_reason",
    "removal_note",
    "removed_at",
    "submitted_at",
    "published_at",
    "reply",
    "replied_at",
)


def _one_to_one(obj: Any, name: str) -> Any:
    """A reverse one-to-one fetched with select_related, or None when there is none."""
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist of any model
        return None


def public_shop(public_id: str) -> Shop:
    """A live shop by its public id, with its review settings and figures; 404 otherwise."""
    if not PUBLIC_ID_RE.match(public_id or ""):
        raise Http404("No such shop.")  # not even asked: cannot be a public id
    shop = (
        Shop.objects.live()
        .select_related("review_settings", "rating")
        .filter(public_id=public_id)
        .first()
    )
    if shop is None:
        raise Http404("No such shop.")
    return shop


def settings_for(shop: Shop) -> ReviewSettings | None:
    return _one_to_one(shop, "review_settings")


def rating_for(shop: Shop) -> ShopRating | None:
    return _one_to_one(shop, "rating")


def collects_reviews(shop: Shop) -> bool:
    settings = settings_for(shop)
    return settings is not None and settings.enabled


def public_product(shop: Shop, sku: str) -> Product:
    """One of the shop's products by SKU, with its figures; 404 for an unknown SKU."""
    if not sku or "\x00" in sku or len(sku) > 64:
        raise Http404("No such product.")
    product = Product.objects.select_related("rating").filter(shop=shop, sku=sku).first()
    if product is None:
        raise Http404("No such product.")
    return product


def product_rating_for(product: Product) -> ProductRating | None:
    return _one_to_one(product, "rating")


def _visible_q() -> Q:
    return Q(
        state__in=VISIBLE_STATES, hidden=False, archived_at__isnull=True, erased_at__isnull=True
    )


def _removed_q() -> Q:
    return Q(state=ReviewState.REMOVED, archived_at__isnull=True, erased_at__isnull=True)


def _photos() -> Prefetch:
    return Prefetch(
        "photos",
        queryset=ReviewPhoto.objects.filter(removed_at__isnull=True).only(
            "id", "review_id", "width", "height", "content_type"
        ),
    )


@dataclass(frozen=True)
class ReviewFilters:
    """What a visitor narrowed the list to; empty values mean no filter."""

    stars: int | None = None
    criterion: str | None = None
    with_reply: bool = False
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.stars
            or self.criterion
            or self.with_reply
            or self.submitted_after
            or self.submitted_before
        )


def _filtered(reviews: QuerySet[Review], filters: ReviewFilters) -> QuerySet[Review]:
    field = CRITERION_FIELDS.get(filters.criterion or "")
    if field and filters.stars:
        reviews = reviews.filter(**{field: filters.stars})
    elif field:
        reviews = reviews.filter(**{f"{field}__isnull": False})
    elif filters.stars:
        reviews = reviews.filter(stars=filters.stars)
    if filters.with_reply:
        reviews = reviews.exclude(reply="")
    if filters.submitted_after:
        reviews = reviews.filter(submitted_at__gte=filters.submitted_after)
    if filters.submitted_before:
        reviews = reviews.filter(submitted_at__lt=filters.submitted_before)
    return reviews


def _listed(base: QuerySet[Review], filters: ReviewFilters, placeholders: bool) -> QuerySet[Review]:
    """Visible reviews matching the filters, newest first; removed ones as placeholders.

    Placeholders stand in the unfiltered list only: a removed review has no stars to filter on.
    """
    show_removed = placeholders and not filters.any
    rows = base.filter(_visible_q() | _removed_q()) if show_removed else base.filter(_visible_q())
    return _filtered(rows, filters).only(*PUBLIC_REVIEW_FIELDS).order_by("-submitted_at", "-pk")


def shop_reviews(
    shop: Shop, filters: ReviewFilters | None = None, *, placeholders: bool = True
) -> QuerySet[Review]:
    """The shop's reviews as its profile lists them, newest first."""
    base = Review.objects.filter(shop=shop, subject=Subject.SHOP)
    return _listed(base, filters or ReviewFilters(), placeholders)


def product_reviews(
    product: Product, filters: ReviewFilters | None = None, *, placeholders: bool = True
) -> QuerySet[Review]:
    """A product's reviews, newest first, with their photos still shown."""
    base = Review.objects.filter(product=product, subject=Subject.PRODUCT)
    return _listed(base, filters or ReviewFilters(), placeholders).prefetch_related(_photos())


def rated_products(shop: Shop) -> QuerySet[Product]:
    """The shop's products with at least one visible review, with their figures, by SKU."""
    return (
        Product.objects.filter(shop=shop, rating__count__gt=0)
        .select_related("rating")
        .order_by("sku", "pk")
    )


def shop_products(shop: Shop) -> QuerySet[Product]:
    return Product.objects.filter(shop=shop).select_related("rating").order_by("sku", "pk")


def public_photo(photo_id: int) -> ReviewPhoto:
    """A photo the public may see: of a visible review of a live shop, not removed; else 404."""
    photo = (
        ReviewPhoto.objects.filter(
            pk=photo_id,
            removed_at__isnull=True,
            review__state__in=VISIBLE_STATES,
            review__hidden=False,
            review__archived_at__isnull=True,
            review__erased_at__isnull=True,
            review__shop__closed_at__isnull=True,
        )
        .select_related("review")
        .first()
    )
    if photo is None:
        raise Http404("No such photo.")
    return photo


def criteria_of(rating: ShopRating | None) -> dict[str, Any]:
    """Criterion → average, only the criteria that have ratings."""
    if rating is None:
        return {}
    return {name: getattr(rating, name) for name in CRITERIA if getattr(rating, name) is not None}


def distribution_rows(distribution: dict[str, int] | None, count: int) -> list[dict[str, Any]]:
    """Five rows, 5 stars first: stars, number, percentage of the count (for the bars)."""
    rows = []
    for stars in range(5, 0, -1):
        number = int((distribution or {}).get(str(stars), 0))
        share = round(100 * number / count) if count else 0
        rows.append({"stars": stars, "number": number, "share": share})
    return rows
