"""Who may see and work which reviews: the one place that decides for pages, API and exports.

Members' people need the reviews right on the shop; review moderators (and
administrators) see every shop. The public sees only visible reviews, through
selectors; the author reaches their own review through a signed link.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, user_has_role
from certification.access import acts_for_shop, shops_with_right
from certification.models import Area, Shop
from reviews.models import Review

AUTHOR_SALT = "trustmark.reviews.author"


def is_moderator(user: Any) -> bool:
    return user_has_role(user, Role.MODERATOR)


def review_shops(user: Any) -> QuerySet[Shop]:
    """Shops whose reviews the person may work (reply, report, export, insights)."""
    return shops_with_right(user, Area.REVIEWS)


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    return Review.objects.filter(shop__in=review_shops(user))


def get_review_for(user: Any, pk: int) -> Review:
    review = reviews_visible_to(user).select_related("shop", "product").filter(pk=pk).first()
    if review is None:
        raise Http404("No such review.")
    return review


def may_work_shop(user: Any, shop: Shop) -> bool:
    return review_shops(user).filter(pk=shop.pk).exists()


def speaks_for_shop(user: Any, shop: Shop) -> bool:
    """One of the member's own people holding the reviews right on the shop (not staff):
    only they answer reviews, write to authors, report and cancel invitations."""
    return acts_for_shop(user, shop, Area.REVIEWS)


def author_token(review_id: int) -> str:
    """The author's link to their review (edit, withdraw, answer a report, contest)."""
    return signing.Signer(salt=AUTHOR_SALT).sign_object(review_id)


def review_from_author_token(token: str) -> Review:
    try:
        review_id = signing.Signer(salt=AUTHOR_SALT).unsign_object(token)
    except signing.BadSignature as exc:
        raise Http404("No such review.") from exc
    review = (
        Review.objects.select_related("shop", "product")
        .filter(pk=review_id, erased_at=None)
        .first()
        if isinstance(review_id, int)
        else None
    )
    if review is None:
        raise Http404("No such review.")
    return review
