"""One review per order and one per order line, however many tabs post at the same moment.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
Each thread read the invitation before any review existed (the form open in 20 tabs).
"""

from __future__ import annotations

import pytest

from core.errors import Conflict
from reviews.models import Invitation, InvitationLine, Review, ReviewState
from reviews.services import Order, submit_product_review, submit_shop_review
from tests.reviews.helpers import invitation, line, product, reviews_on
from tests.reviews.test_reports_concurrency import THREADS, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_tabs_posting_one_order_make_one_shop_review(world):
    reviews_on(world.shop)
    inv = invitation(world.shop)
    orders = [Order.of_invitation(Invitation.objects.get(pk=inv.pk)) for _ in range(THREADS)]

    def post(order, stars):
        return lambda: submit_shop_review(order=order, ratings={"service": stars})

    results = race([post(order, 1 + i % 5) for i, order in enumerate(orders)])

    stored = [r for r in results if isinstance(r, Review)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(stored) == 1, results
    assert len(refused) == THREADS - 1, [r for r in results if not isinstance(r, Review)]
    assert Review.objects.filter(invitation=inv, subject="shop").count() == 1
    world.shop.rating.refresh_from_db()
    assert world.shop.rating.count == 1


def test_twenty_tabs_posting_one_order_line_make_one_product_review(world):
    reviews_on(world.shop)
    inv = invitation(world.shop)
    item = line(inv, product(world.shop, "RACE-1"))

    def post(stars):
        def call():
            fresh = Invitation.objects.get(pk=inv.pk)
            return submit_product_review(
                order=Order.of_invitation(fresh),
                product=item.product,
                line=InvitationLine.objects.get(pk=item.pk),
                stars=stars,
                text="Sturdy and well made.",
            )

        return call

    results = race([post(1 + i % 5) for i in range(THREADS)])

    stored = [r for r in results if isinstance(r, Review)]
    assert len(stored) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Review)), results
    assert Review.objects.filter(invitation_line=item).count() == 1
    assert stored[0].state == ReviewState.PUBLISHED
    item.product.rating.refresh_from_db()
    assert item.product.rating.count == 1
