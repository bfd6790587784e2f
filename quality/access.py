"""Who may see a shop's quality indicators: one place for pages, graphs and the API.

The indicators mix claims, reviews and audits. They are the audit side's figures
(they end in a mark review), and the reviews team acts on half of them, so a person
sees a shop's indicators with the `audits` right or the `reviews` right on that shop;
the owner holds every right. Staff: auditors and administrators (and review
moderators, who hold the reviews area) see every shop. Anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, user_has_role
from certification.access import shops_with_right
from certification.models import Area, Shop


def shops_for_quality(user: Any) -> QuerySet[Shop]:
    return shops_with_right(user, Area.AUDITS) | shops_with_right(user, Area.REVIEWS)


def get_shop_for_quality(user: Any, public_id: str) -> Shop:
    shop = shops_for_quality(user).filter(public_id=public_id).select_related("member").first()
    if shop is None:
        raise Http404("No such shop.")
    return shop


def is_quality_staff(user: Any) -> bool:
    """Certifier-wide view: auditors and administrators."""
    return user_has_role(user, Role.AUDITOR)


def may_decide_reviews(user: Any) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)
