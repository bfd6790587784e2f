"""Absolute links put in emails and API answers about reviews."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from reviews.access import author_token
from reviews.models import Review


def author_url(review: Review) -> str:
    """The author's own page for the review: read, edit, withdraw, answer a report, contest."""
    return settings.SITE_URL + reverse("review_buyer:mine", args=[author_token(review.pk)])


def portal_review_url(review: Review) -> str:
    return settings.SITE_URL + reverse("review_portal:review", args=[review.pk])


def profile_url(public_id: str) -> str:
    return settings.SITE_URL + reverse("reviews:profile", args=[public_id])
