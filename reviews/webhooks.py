"""The review as webhook events show it (review.published, review.reported, review.removed).

The public reviews API's item (reviews/api_public.py) plus what a shop's own systems need
to file it: the shop's public id, whether it is about the shop or a product (and the
product's SKU), its state and stars. Documented by `ReviewOut` in the OpenAPI document's
`webhooks` section and in docs/webhooks.md.

- `review.published`: a review became visible (submitted without a check firing, released
  by a moderator, or reinstated by the final decision on a contest).
- `review.reported`: someone reported a published review (it stays visible unless the
  reason hides it at once: then `hidden` is true).
- `review.removed`: a decision removed the review (`state` `removed`, no comment) or a part
  of it (`state` `partly_removed`, the comment as still shown).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema

from notifications.webhooks import emit
from reviews.models import Review, ReviewState, Subject


class ReviewReplyOut(Schema):
    text: str
    replied_at: datetime.datetime


class ReviewOut(Schema):
    id: int
    shop_public_id: str
    subject: Literal["shop", "product"]
    product_sku: str | None = Field(description="The product's SKU for a product review.")
    state: str = Field(description="published, reported, removed or partly_removed.")
    hidden: bool = Field(description="Hidden from the profile while a report is checked.")
    label: Literal["verified", "invited", "not_verified"]
    stars: int
    ratings: dict[str, int] = Field(description="Criterion → stars 1-5, only those rated.")
    title: str
    comment: str = Field(description="The text as shown; empty once the review is removed.")
    language: str
    submitted_at: datetime.datetime
    published_at: datetime.datetime | None
    removal_reason: str = Field(description="Why it was (partly) removed; empty otherwise.")
    reply: ReviewReplyOut | None
    photos: list[str] = Field(description="Absolute URLs of the photos still shown.")
    profile_url: str


def as_json(review: Review) -> dict[str, Any]:
    removed = review.state == ReviewState.REMOVED
    is_product = review.subject == Subject.PRODUCT
    photos = [] if removed else review.photos.filter(removed_at=None).order_by("pk")
    return {
        "id": review.pk,
        "shop_public_id": review.shop.public_id,
        "subject": review.subject,
        "product_sku": review.product.sku if is_product and review.product_id else None,
        "state": review.state,
        "hidden": review.hidden,
        "label": review.label,
        "stars": review.stars,
        "ratings": review.ratings,
        "title": review.title,
        "comment": "" if removed else review.shown_comment,
        "language": review.language,
        "submitted_at": review.submitted_at,
        "published_at": review.published_at,
        "removal_reason": review.removal_reason,
        "reply": (
            {"text": review.reply, "replied_at": review.replied_at}
            if review.reply and review.replied_at
            else None
        ),
        "photos": [
            settings.SITE_URL + reverse("reviews:photo", args=[photo.pk]) for photo in photos
        ],
        "profile_url": settings.SITE_URL + reverse("reviews:profile", args=[review.shop.public_id]),
    }


def emit_review(event_type: str, review: Review) -> None:
    """In the service's transaction: the event for the member's endpoints."""
    emit(
        event_type,
        review.shop.member_id,
        lambda: {"review": as_json(review)},
        shop=review.shop_id,
    )
