"""Public pages on our domain: a shop's rating profile, a product's reviews, review photos.

No login. Only live shops and what the public may see (reviews.selectors);
an unknown shop or SKU is a 404. Lists make a fixed number of queries.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from reviews import jsonld, selectors
from reviews.models import CRITERIA
from reviews.ratings import band

PER_PAGE = 20
PUBLIC_MAX_AGE = 60


def _int_in(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def filters_from(request: HttpRequest, *, criteria: bool = True) -> selectors.ReviewFilters:
    """The visitor's filters; a value that makes no sense is ignored (a page, not an API)."""
    criterion = request.GET.get("criterion", "")
    return selectors.ReviewFilters(
        stars=_int_in(request.GET.get("stars"), 1, 5),
        criterion=criterion if criteria and criterion in CRITERIA else None,
        with_reply=request.GET.get("reply") == "1",
    )


def how_we_check_url(shop_public_id: str | None = None) -> str | None:
    """The "how we check reviews" page, with this shop's own figures."""
    try:
        url = reverse("review_checks:how_we_check")
    except NoReverseMatch:  # that page belongs to another part; link once it exists
        return None
    return f"{url}?{urlencode({'shop': shop_public_id})}" if shop_public_id else url


def report_url_pattern() -> str | None:
    """The public report form's URL with a 0 where the review's id goes, once it exists."""
    try:
        return reverse("review_checks:report", args=[0])
    except NoReverseMatch:
        return None


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _public(response: HttpResponse) -> HttpResponse:
    # Revalidated every time, as the verification page is: never stale, and the page's header
    # differs for a signed-in visitor, so no shared cache may keep it.
    response["Cache-Control"] = "no-cache"
    return response


def _grade_context(grade: Any) -> dict[str, Any]:
    found = band(grade)
    return {"grade": grade, "band": found[1] if found else None}


@require_safe
def profile(request: HttpRequest, public_id: str) -> HttpResponse:
    """A shop's rating profile: grade, figures and its reviews, newest first."""
    shop = selectors.public_shop(public_id)
    if not selectors.collects_reviews(shop):
        return _public(render(request, "reviews/public/not_collecting.html", {"shop": shop}))
    settings = selectors.settings_for(shop)
    rating = selectors.rating_for(shop)
    count = rating.count if rating else 0
    filters = filters_from(request)
    page = _page(request, selectors.shop_reviews(shop, filters))
    context = {
        "shop": shop,
        "settings": settings,
        "rating": rating,
        "count": count,
        "criteria": selectors.criteria_of(rating),
        "distribution": selectors.distribution_rows(rating.distribution if rating else {}, count),
        "filters": filters,
        "criterion_choices": _criterion_choices(settings),
        "page": page,
        "query": _query_without_page(request),
        "how_we_check": how_we_check_url(shop.public_id),
        "jsonld": jsonld.shop_profile(request, shop, rating, list(page.object_list)),
        **_grade_context(rating.grade if rating else None),
    }
    return _public(render(request, "reviews/public/profile.html", context))


def _criterion_choices(settings: Any) -> list[tuple[str, Any]]:
    from reviews.models.reviews import Review

    names = {
        "service": Review._meta.get_field("service").verbose_name,
        "delivery": Review._meta.get_field("delivery").verbose_name,
        "product": Review._meta.get_field("product_rating").verbose_name,
    }
    if settings is not None and settings.mode == "one":
        return [("service", names["service"])]
    return list(names.items())


@require_safe
def product(request: HttpRequest, public_id: str, sku: str) -> HttpResponse:
    """A product's reviews: average, count, distribution, reviews with photos."""
    shop = selectors.public_shop(public_id)
    item = selectors.public_product(shop, sku)
    rating = selectors.product_rating_for(item)
    count = rating.count if rating else 0
    filters = filters_from(request, criteria=False)
    page = _page(request, selectors.product_reviews(item, filters))
    context = {
        "shop": shop,
        "product": item,
        "rating": rating,
        "count": count,
        "average": rating.average if rating else None,
        "distribution": selectors.distribution_rows(rating.distribution if rating else {}, count),
        "filters": filters,
        "page": page,
        "query": _query_without_page(request),
        "how_we_check": how_we_check_url(shop.public_id),
        "collects": selectors.collects_reviews(shop),
        "jsonld": jsonld.product(request, shop, item, rating, list(page.object_list)),
    }
    return _public(render(request, "reviews/public/product.html", context))


@require_safe
def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A review photo, only while its review is shown and the photo not removed."""
    found = selectors.public_photo(photo_id)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
