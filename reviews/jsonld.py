"""schema.org JSON-LD for the public review pages: AggregateRating and Review items.

Built as data here and written into a `<script type="application/ld+json">`
data block (not executed, so the CSP's script-src does not apply), with `<`,
`>` and `&` escaped so that no review text can close the block.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from certification.models import Shop
from reviews.models import Product, ProductRating, Review, ShopRating

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def dumps(data: dict[str, Any]) -> SafeString:
    """The JSON text, safe to place between script tags."""
    text = json.dumps(data, ensure_ascii=False, default=_plain, separators=(",", ":"))
    return mark_safe(text.translate(_ESCAPES))  # noqa: S308 - escaped above


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _aggregate(value: Decimal | None, count: int) -> dict[str, Any] | None:
    if value is None or not count:
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": value,
        "bestRating": 5,
        "worstRating": 1,
        "reviewCount": count,
    }


def _review(review: Review, about_name: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "Review",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.stars,
            "bestRating": 5,
            "worstRating": 1,
        },
        "author": {"@type": "Person", "name": review.author_name or "Anonymous"},
        "datePublished": (review.published_at or review.submitted_at).date().isoformat(),
        "inLanguage": review.language,
        "itemReviewed": {"@type": "Thing", "name": about_name},
    }
    if review.title:
        item["name"] = review.title
    body = review.shown_comment
    if body:
        item["reviewBody"] = body
    return item


def _shown(reviews: list[Review]) -> list[Review]:
    return [review for review in reviews if review.is_visible]


def shop_profile(
    request: Any, shop: Shop, rating: ShopRating | None, reviews: list[Review]
) -> SafeString:
    """The shop as an Organization with its aggregate rating and the reviews on this page."""
    url = settings.SITE_URL + reverse("reviews:profile", args=[shop.public_id])
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": shop.name,
        "url": f"https://{shop.domain}/",
        "sameAs": url,
    }
    aggregate = _aggregate(rating.grade if rating else None, rating.count if rating else 0)
    if aggregate:
        data["aggregateRating"] = aggregate
    items = [_review(review, shop.name) for review in _shown(reviews)]
    for item in items:
        item.pop("itemReviewed")
    if items:
        data["review"] = items
    return dumps(data)


def _gtin(product: Product) -> dict[str, str]:
    if not product.gtin:
        return {}
    return {f"gtin{len(product.gtin)}": product.gtin}


def product(
    request: Any,
    shop: Shop,
    item: Product,
    rating: ProductRating | None,
    reviews: list[Review],
) -> SafeString:
    """The product with its aggregate rating and the reviews on this page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": item.name,
        "sku": item.sku,
        **_gtin(item),
    }
    if item.brand:
        data["brand"] = {"@type": "Brand", "name": item.brand}
    if item.image_url:
        data["image"] = item.image_url
    if item.url:
        data["url"] = item.url
    aggregate = _aggregate(rating.average if rating else None, rating.count if rating else 0)
    if aggregate:
        data["aggregateRating"] = aggregate
    items = [_review(review, item.name) for review in _shown(reviews)]
    for entry in items:
        entry.pop("itemReviewed")
    if items:
        data["review"] = items
    return dumps(data)
