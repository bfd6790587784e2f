"""Building blocks for the public review pages and API tests: many reviews fast, JSON-LD."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from reviews.models import Label, Review, ReviewState, Subject
from reviews.ratings import refresh_product_rating, refresh_shop_rating


def many_shop_reviews(shop, n: int, *, stars: int = 4, reply: str = "") -> list[Review]:
    """n published shop reviews written straight into the table (for query-count tests)."""
    now = timezone.now()
    rows = [
        Review(
            subject=Subject.SHOP,
            shop=shop,
            label=Label.NOT_VERIFIED,
            mode="three",
            stars=stars,
            service=stars,
            delivery=stars,
            product_rating=stars,
            comment=f"Review number {i}.",
            language="en",
            experienced_on=(now - timedelta(days=3)).date(),
            editable_until=(now + timedelta(days=100)).date(),
            author_name=f"Buyer {i}.",
            state=ReviewState.PUBLISHED,
            submitted_at=now - timedelta(minutes=i + 1),
            published_at=now - timedelta(minutes=i + 1),
            reply=reply,
            replied_at=now if reply else None,
        )
        for i in range(n)
    ]
    with transaction.atomic():
        made = Review.objects.bulk_create(rows)
        refresh_shop_rating(shop.pk)
    return made


def many_product_reviews(shop, product, n: int, *, stars: int = 4) -> list[Review]:
    now = timezone.now()
    rows = [
        Review(
            subject=Subject.PRODUCT,
            shop=shop,
            product=product,
            label=Label.NOT_VERIFIED,
            mode="three",
            stars=stars,
            title=f"Item review {i}",
            comment=f"Product review number {i}.",
            language="en",
            experienced_on=(now - timedelta(days=3)).date(),
            editable_until=(now + timedelta(days=100)).date(),
            state=ReviewState.PUBLISHED,
            submitted_at=now - timedelta(minutes=i + 1),
            published_at=now - timedelta(minutes=i + 1),
        )
        for i in range(n)
    ]
    with transaction.atomic():
        made = Review.objects.bulk_create(rows)
        refresh_product_rating(product.pk)
    return made


LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(html: str) -> dict:
    """The page's one JSON-LD block, parsed."""
    blocks = LD_RE.findall(html)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])
