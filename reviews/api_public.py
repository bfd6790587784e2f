"""Public read API: a shop's published reviews and rating, its products' reviews and ratings.

No key: what the public profile shows, as JSON. Lists are pages of
`{"items": [...], "next": <absolute url or null>}` with an opaque cursor
(signed, on the last item's position), so a page costs the same queries
whatever the number of reviews. Bad filter values are a 422 naming the field.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from certification.models import Shop
from guarantees.api import Error
from reviews import selectors
from reviews.models import Product, Review
from reviews.ratings import band

router = Router(tags=["reviews"])

MAX_AGE = 60
CURSOR_SALT = "trustmark.reviews.api.cursor"
NOT_FOUND = {404: Error, 422: Error}


class ReplyOut(Schema):
    text: str
    replied_at: datetime.datetime


class PublicReviewOut(Schema):
    id: int
    ratings: dict[str, int] = Field(
        description="Criterion (`service`, `delivery`, `product`) → stars 1-5, only those rated."
    )
    comment: str = Field(description="The text as shown (after a partial removal, what remains).")
    language: str
    label: Literal["verified", "invited", "not_verified"]
    submitted_at: datetime.datetime
    reply: ReplyOut | None = Field(description="The shop's public reply, or null.")


class PublicProductReviewOut(PublicReviewOut):
    title: str
    photos: list[str] = Field(description="Absolute URLs of the review's photos.")


class ReviewPage(Schema):
    items: list[PublicReviewOut]
    next: str | None = Field(description="The next page's absolute URL, or null on the last.")


class ProductReviewPage(Schema):
    items: list[PublicProductReviewOut]
    next: str | None


class ShopRatingOut(Schema):
    grade: float | None = Field(description="1.00-5.00 with two decimals; null without reviews.")
    label: Literal["Excellent", "Good", "Fair", "Poor", "Very poor"] | None
    count: int
    criteria: dict[str, float] = Field(description="Criterion → average, only those rated.")
    distribution: dict[str, int] = Field(description="Stars `1`-`5` → number of reviews.")
    window_start: datetime.date | None = Field(description="The first day counted (12 months).")
    reviews_on: bool
    profile_url: str


class ProductRatingOut(Schema):
    sku: str
    name: str
    grade: float | None = Field(description="The average stars with two decimals, or null.")
    label: Literal["Excellent", "Good", "Fair", "Poor", "Very poor"] | None
    count: int
    distribution: dict[str, int]
    reviews_url: str


class PublicProductOut(Schema):
    sku: str
    name: str
    gtin: str
    url: str
    image_url: str
    brand: str
    rating: ProductRatingOut


class ProductPage(Schema):
    items: list[PublicProductOut]
    next: str | None


class ReviewFilters(Schema):
    rating: int | None = Field(None, ge=1, le=5, description="Only reviews with these stars.")
    has_reply: bool | None = Field(None, description="With (true) or without (false) a reply.")
    submitted_after: datetime.datetime | None = Field(
        None, description="Submitted at or after (a date or a date-time; a date is its midnight)."
    )
    submitted_before: datetime.datetime | None = Field(
        None, description="Submitted before (a date or a date-time; a date is its midnight)."
    )
    cursor: str | None = Field(None, description="From a previous page's `next`.")
    limit: int = Field(20, ge=1, le=100)


class ProductFilters(Schema):
    rated: bool = Field(False, description="Only products with at least one visible review.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=100)


class BadFilter(Exception):
    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.detail = field, detail


def _error(status: int, field: str, detail: str, code: str) -> tuple[int, dict[str, Any]]:
    return status, {"detail": detail, "field": field, "code": code}


def _shop(public_id: str) -> Shop:
    return selectors.public_shop(public_id)


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, datetime.UTC)


def _encode(values: list[Any]) -> str:
    return signing.dumps(values, salt=CURSOR_SALT, compress=True)


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        values = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature as exc:
        raise BadFilter("cursor", "This cursor is not one we gave out.") from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadFilter("cursor", "This cursor is not one we gave out.")
    return values


def _next_url(request: HttpRequest, cursor: str) -> str:
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _review_filters(filters: ReviewFilters) -> selectors.ReviewFilters:
    return selectors.ReviewFilters(
        stars=filters.rating,
        submitted_after=_aware(filters.submitted_after),
        submitted_before=_aware(filters.submitted_before),
    )


def _page_of_reviews(
    request: HttpRequest, rows: Any, filters: ReviewFilters
) -> tuple[list[Review], str | None]:
    """One page after the cursor, newest first by (submitted_at, id), and the next page's URL."""
    if filters.has_reply is True:
        rows = rows.exclude(reply="")
    elif filters.has_reply is False:
        rows = rows.filter(reply="")
    if filters.cursor:
        stamp, last_id = _decode(filters.cursor, 2)
        try:
            at = datetime.datetime.fromisoformat(stamp)
            last_id = int(last_id)
        except (TypeError, ValueError) as exc:
            raise BadFilter("cursor", "This cursor is not one we gave out.") from exc
        rows = rows.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=last_id))
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    following = None
    if more:
        last = page[-1]
        following = _next_url(request, _encode([last.submitted_at.isoformat(), last.pk]))
    return page, following


def _reply(review: Review) -> dict[str, Any] | None:
    if not review.reply or review.replied_at is None:
        return None
    return {"text": review.reply, "replied_at": review.replied_at}


def _review_item(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "ratings": review.ratings,
        "comment": review.shown_comment,
        "language": review.language,
        "label": review.label,
        "submitted_at": review.submitted_at,
        "reply": _reply(review),
    }


def _product_review_item(request: HttpRequest, review: Review) -> dict[str, Any]:
    return {
        **_review_item(review),
        "title": review.title,
        "photos": [
            request.build_absolute_uri(reverse("reviews:photo", args=[photo.pk]))
            for photo in review.photos.all()
        ],
    }


def _public(response: HttpResponse) -> None:
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"


def _grade(value: Any) -> float | None:
    return float(value) if value is not None else None


def _label(value: Any) -> str | None:
    found = band(value)
    return found[0] if found else None


def _product_rating(product: Product) -> dict[str, Any]:
    rating = selectors.product_rating_for(product)
    average = rating.average if rating else None
    return {
        "sku": product.sku,
        "name": product.name,
        "grade": _grade(average),
        "label": _label(average),
        "count": rating.count if rating else 0,
        "distribution": _distribution(rating.distribution if rating else None),
        "reviews_url": settings.SITE_URL
        + reverse("reviews:product", args=[product.shop.public_id, product.sku]),
    }


def _distribution(values: dict[str, int] | None) -> dict[str, int]:
    return {str(n): int((values or {}).get(str(n), 0)) for n in range(1, 6)}


SHOP_404 = "No live shop has this public id."


@router.get(
    "/shops/{public_id}/reviews",
    response={200: ReviewPage, **NOT_FOUND},
    auth=None,
    summary="A shop's published reviews, newest first",
    description=(
        "The reviews the shop's public profile shows, newest first, a page at a time: follow "
        "`next` until it is null. Filters: `rating` (stars 1-5), `has_reply`, "
        "`submitted_after` / `submitted_before` (a date or a date-time). Empty when the shop "
        "does not collect reviews; 404 for an unknown or closed shop."
    ),
)
def shop_reviews(
    request: HttpRequest,
    response: HttpResponse,
    public_id: str,
    filters: Query[ReviewFilters],
) -> Any:
    try:
        shop = _shop(public_id)
    except Http404:
        return _error(404, "public_id", SHOP_404, "not_found")
    try:
        if not selectors.collects_reviews(shop):
            page, following = [], None
        else:
            rows = selectors.shop_reviews(shop, _review_filters(filters), placeholders=False)
            page, following = _page_of_reviews(request, rows, filters)
    except BadFilter as bad:
        return _error(422, bad.field, bad.detail, "invalid")
    _public(response)
    return {"items": [_review_item(review) for review in page], "next": following}


@router.get(
    "/shops/{public_id}/rating",
    response={200: ShopRatingOut, 404: Error},
    auth=None,
    summary="A shop's rating over the last 12 months",
    description=(
        "The grade (two decimals) and its band in English, the number of reviews, the average "
        "of each criterion rated and the distribution of stars, with the link to the profile."
    ),
)
def shop_rating(request: HttpRequest, response: HttpResponse, public_id: str) -> Any:
    try:
        shop = _shop(public_id)
    except Http404:
        return _error(404, "public_id", SHOP_404, "not_found")
    on = selectors.collects_reviews(shop)
    rating = selectors.rating_for(shop) if on else None
    _public(response)
    return {
        "grade": _grade(rating.grade if rating else None),
        "label": _label(rating.grade if rating else None),
        "count": rating.count if rating else 0,
        "criteria": {name: float(value) for name, value in selectors.criteria_of(rating).items()},
        "distribution": _distribution(rating.distribution if rating else None),
        "window_start": rating.window_start if rating else None,
        "reviews_on": on,
        "profile_url": settings.SITE_URL + reverse("reviews:profile", args=[shop.public_id]),
    }


def _product(public_id: str, sku: str) -> Product | tuple[int, dict[str, Any]]:
    try:
        shop = _shop(public_id)
    except Http404:
        return _error(404, "public_id", SHOP_404, "not_found")
    try:
        product = selectors.public_product(shop, sku)
    except Http404:
        return _error(404, "sku", "This shop has no product with this SKU.", "not_found")
    product.shop = shop  # already loaded: no second query for its public id
    return product


@router.get(
    "/shops/{public_id}/products/{sku}/reviews",
    response={200: ProductReviewPage, **NOT_FOUND},
    auth=None,
    summary="A product's published reviews, newest first",
    description=(
        "The same pages and filters as the shop's reviews; each item also has its title and "
        "the URLs of its photos. 404 for an unknown shop or SKU."
    ),
)
def product_reviews(
    request: HttpRequest,
    response: HttpResponse,
    public_id: str,
    sku: str,
    filters: Query[ReviewFilters],
) -> Any:
    found = _product(public_id, sku)
    if not isinstance(found, Product):
        return found
    try:
        rows = selectors.product_reviews(found, _review_filters(filters), placeholders=False)
        page, following = _page_of_reviews(request, rows, filters)
    except BadFilter as bad:
        return _error(422, bad.field, bad.detail, "invalid")
    _public(response)
    items = [_product_review_item(request, review) for review in page]
    return {"items": items, "next": following}


@router.get(
    "/shops/{public_id}/products/{sku}/rating",
    response={200: ProductRatingOut, 404: Error},
    auth=None,
    summary="A product's rating",
    description="The average stars (two decimals) and their band, count and distribution.",
)
def product_rating(request: HttpRequest, response: HttpResponse, public_id: str, sku: str) -> Any:
    found = _product(public_id, sku)
    if not isinstance(found, Product):
        return found
    _public(response)
    return _product_rating(found)


@router.get(
    "/shops/{public_id}/products",
    response={200: ProductPage, **NOT_FOUND},
    auth=None,
    summary="A shop's products with their ratings",
    description=(
        "By SKU, a page at a time (follow `next`). `rated=true` lists only the products with "
        "at least one visible review."
    ),
)
def products(
    request: HttpRequest,
    response: HttpResponse,
    public_id: str,
    filters: Query[ProductFilters],
) -> Any:
    try:
        shop = _shop(public_id)
    except Http404:
        return _error(404, "public_id", SHOP_404, "not_found")
    rows = selectors.rated_products(shop) if filters.rated else selectors.shop_products(shop)
    try:
        if filters.cursor:
            (last_sku,) = _decode(filters.cursor, 1)
            if not isinstance(last_sku, str):
                raise BadFilter("cursor", "This cursor is not one we gave out.")
            rows = rows.filter(sku__gt=last_sku)
    except BadFilter as bad:
        return _error(422, bad.field, bad.detail, "invalid")
    page = list(rows[: filters.limit + 1])
    following = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        following = _next_url(request, _encode([page[-1].sku]))
    _public(response)
    items = []
    for item in page:
        item.shop = shop  # the rating's URL needs the shop's public id: no query per row
        items.append(
            {
                "sku": item.sku,
                "name": item.name,
                "gtin": item.gtin,
                "url": item.url,
                "image_url": item.image_url,
                "brand": item.brand,
                "rating": _product_rating(item),
            }
        )
    return {"items": items, "next": following}
