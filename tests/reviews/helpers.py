"""Building blocks for review tests: a shop collecting reviews, invitations, reviews."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from reviews.models import Invitation, InvitationLine, Product, ReviewSettings
from reviews.services import Order, submit_product_review, submit_shop_review

_ORDERS = itertools.count(1)


def reviews_on(shop, **changes) -> ReviewSettings:
    """The shop collects reviews (three criteria unless told otherwise)."""
    values = {"enabled": True, **changes}
    settings, _created = ReviewSettings.objects.update_or_create(shop=shop, defaults=values)
    return settings


def invitation(shop, *, source="api", order_date: date | None = None, email=None, **changes):
    """An invitation of a new order of `shop`, already sent (as the worker leaves it)."""
    n = next(_ORDERS)
    day = order_date or timezone.localdate() - timedelta(days=10)
    values = {
        "shop": shop,
        "source": source,
        "order_reference": f"O-{n}",
        "email": email or f"buyer{n}@example.org",
        "name": f"Buyer Number{n}",
        "language": "en",
        "order_date": day,
        "send_at": timezone.now() - timedelta(days=3),
        "review_until": day + relativedelta(months=6),
        **changes,
    }
    return Invitation.objects.create(**values)


def product(shop, sku="SKU-1", **changes) -> Product:
    values = {"name": f"Product {sku}", **changes}
    found, _created = Product.objects.update_or_create(shop=shop, sku=sku, defaults=values)
    return found


def line(inv, prod, quantity=1) -> InvitationLine:
    return InvitationLine.objects.create(invitation=inv, product=prod, quantity=quantity)


def review(shop, *, service=5, delivery=None, product_rating=None, comment="", **kwargs):
    """A published (unless a check fires) shop review through a new invitation."""
    ratings = {"service": service}
    if delivery is not None:
        ratings["delivery"] = delivery
    if product_rating is not None:
        ratings["product"] = product_rating
    order = Order.of_invitation(invitation(shop, **kwargs.pop("invitation", {})))
    return submit_shop_review(order=order, ratings=ratings, comment=comment, **kwargs)


def product_review(shop, prod, *, stars=4, text="Does what it says.", **kwargs):
    inv = invitation(shop)
    order_line = line(inv, prod)
    return submit_product_review(
        order=Order.of_invitation(inv),
        product=prod,
        line=order_line,
        stars=stars,
        text=text,
        **kwargs,
    )
