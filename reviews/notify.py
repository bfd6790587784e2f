"""Emails about reviews, queued in the caller's transaction, each in its recipient's language.

Members' people choose by star bucket which new reviews alert them (and keep
the alert only while they hold the reviews right); authors hear of what
happens to their review through their own link, never the shop's address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from certification.access import people_with_right
from certification.models import Area
from notifications.services import queue_email
from reviews.links import author_url, portal_review_url
from reviews.models import AlertPreference, Review, Subject
from reviews.models.profiles import StarBucket

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _language(code: str) -> str:
    return code if code in SUPPORTED else "en"


def bucket_of(stars: int) -> str:
    if stars <= 2:
        return StarBucket.NEGATIVE
    if stars == 3:
        return StarBucket.NEUTRAL
    return StarBucket.POSITIVE


def _context(review: Review, event: str, url: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": event,
        "shop": review.shop.name,
        "domain": review.shop.display_domain,
        "stars": review.stars,
        "product": review.product.name
        if review.subject == Subject.PRODUCT and review.product
        else "",
        "excerpt": review.shown_comment[:300],
        "url": url,
        **extra,
    }


def tell_author(review: Review, event: str, **extra: Any) -> None:
    if not review.author_email:
        return
    queue_email(
        to=review.author_email,
        recipient=review.author,
        template="review_changed",
        language=_language(review.language),
        context=_context(review, event, author_url(review), {**extra, "party": "author"}),
    )


def tell_shop(review: Review, event: str, people: list[Any] | None = None, **extra: Any) -> None:
    """Members' people with the reviews right on the shop (or the given ones)."""
    recipients = people if people is not None else people_with_right(review.shop, Area.REVIEWS)
    for person in recipients:
        queue_email(
            to=person.email,
            recipient=person,
            template="review_changed",
            language=_language(review.shop.language),
            context=_context(review, event, portal_review_url(review), {**extra, "party": "shop"}),
        )


def review_published(review: Review) -> None:
    """Alert the people who asked for this star bucket and still hold the reviews right."""
    bucket = bucket_of(review.stars)
    wanting = {
        pref.user_id: pref.user
        for pref in AlertPreference.objects.filter(
            shop_id=review.shop_id, buckets__contains=[bucket], user__is_active=True
        ).select_related("user")
    }
    if wanting:
        allowed = [p for p in people_with_right(review.shop, Area.REVIEWS) if p.pk in wanting]
        tell_shop(review, "new_review", allowed)
    tell_author(review, "published")


def review_held(review: Review) -> None:
    tell_author(review, "held")


def shop_replied(review: Review) -> None:
    tell_author(review, "replied", reply=review.reply)
