"""Submitting shop and product reviews: labels, criteria, bad input, one per order."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.utils import timezone

from core.errors import Conflict, DomainError, NotPermitted
from reviews.models import Invitation, Label, Review, ReviewState
from reviews.services import Order, edit_review, submit_shop_review, withdraw_review
from tests.reviews.helpers import invitation, product, product_review, review, reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


def test_review_through_an_order_invitation_is_published_as_verified(shop):
    inv = invitation(shop)
    done = submit_shop_review(
        order=Order.of_invitation(inv),
        ratings={"service": 5, "delivery": 4, "product": 4},
        comment="Quick and friendly.",
        name="Bruno Keller",
    )
    assert done.state == ReviewState.PUBLISHED
    assert done.label == Label.VERIFIED
    assert done.stars == 4  # (5 + 4 + 4) / 3 = 4.33
    assert done.author_name == "Bruno K."
    inv.refresh_from_db()
    assert inv.state == "reviewed"
    shop.rating.refresh_from_db()
    assert shop.rating.count == 1


def test_uploaded_list_invitation_gives_the_invited_label(shop):
    done = review(shop, invitation={"source": "upload"})
    assert done.label == Label.INVITED


def test_open_link_only_when_the_shop_allows_it(shop):
    order = Order(shop_id=shop.pk, order_date=timezone.localdate(), email="x@example.org")
    with pytest.raises(NotPermitted):
        submit_shop_review(order=order, ratings={"service": 4})
    reviews_on(shop, allow_open_link=True)
    done = submit_shop_review(order=order, ratings={"service": 4})
    assert done.label == Label.NOT_VERIFIED


@pytest.mark.parametrize("stars", [0, 6, "5.5", "", None, True, "five"])
def test_stars_outside_one_to_five_are_refused(shop, stars):
    with pytest.raises(DomainError) as refused:
        submit_shop_review(order=Order.of_invitation(invitation(shop)), ratings={"service": stars})
    assert refused.value.field in {"service", "ratings"}
    assert Review.objects.count() == 0


def test_one_criterion_shops_are_rated_on_service_only(shop):
    reviews_on(shop, mode="one")
    with pytest.raises(DomainError) as refused:
        submit_shop_review(
            order=Order.of_invitation(invitation(shop)), ratings={"service": 4, "delivery": 2}
        )
    assert refused.value.field == "delivery"


def test_comment_over_the_limit_is_refused(shop, settings):
    settings.REVIEW_COMMENT_MAX_CHARS = 20
    with pytest.raises(DomainError) as refused:
        submit_shop_review(
            order=Order.of_invitation(invitation(shop)), ratings={"service": 4}, comment="x" * 21
        )
    assert refused.value.field == "comment"


def test_second_review_of_the_same_order_is_a_clear_conflict(shop):
    inv = invitation(shop)
    stale = Order.of_invitation(Invitation.objects.get(pk=inv.pk))  # the form in another tab
    submit_shop_review(order=Order.of_invitation(inv), ratings={"service": 4})
    with pytest.raises(Conflict, match="already been reviewed"):
        submit_shop_review(order=stale, ratings={"service": 1})
    assert Review.objects.filter(invitation=inv).count() == 1


def test_database_refuses_a_second_review_for_one_invitation(shop):
    first = review(shop)
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_review (subject, shop_id, invitation_id, label, mode, stars,"
            " service,"
            " title, comment, redacted_comment, language, experienced_on, author_email,"
            " author_name,"
            " fingerprint, text_sha256, state, signals, themes, hidden, rejection_reason,"
            " removal_reason, removal_note, submitted_at, editable_until, reply, updated_at)"
            " VALUES ('shop', %s, %s, 'verified', 'three', 3, 3, '', '', '', 'en', now(), '', '',"
            " '', '', 'published', '{}', '{}', false, '', '', '', now(), now(), '', now())",
            [shop.pk, first.invitation_id],
        )


def test_database_refuses_stars_out_of_range(shop):
    done = review(shop)
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("UPDATE reviews_review SET service = 6 WHERE id = %s", [done.pk])


def test_invitation_past_its_window_is_refused(shop):
    old = invitation(shop, review_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(Conflict):
        submit_shop_review(order=Order.of_invitation(old), ratings={"service": 5})


def test_review_for_another_shops_product_is_refused(world, shop):
    reviews_on(world.charlie_shop)
    foreign = product(world.charlie_shop, "C-1")
    with pytest.raises(DomainError) as refused:
        product_review(shop, foreign)
    assert refused.value.field == "sku"


def test_product_review_moves_the_product_rating_not_the_shop_grade(shop):
    item = product(shop, "MUG-1")
    product_review(shop, item, stars=2)
    product_review(shop, item, stars=5)
    item.rating.refresh_from_db()
    assert str(item.rating.average) == "3.50"
    assert item.rating.count == 2
    assert not hasattr(shop, "rating") or shop.rating.count == 0


def test_author_edits_then_withdraws_and_the_profile_follows(shop):
    done = review(shop, service=1)
    edit_review(review=done, ratings={"service": 5})
    shop.rating.refresh_from_db()
    assert str(shop.rating.grade) == "5.00"
    withdraw_review(review=done)
    shop.rating.refresh_from_db()
    assert shop.rating.grade is None
    assert shop.rating.count == 0


def test_author_is_told_the_review_is_published(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review(shop)
    assert any("is published" in m.subject for m in mail.outbox)


def test_email_at_the_shops_own_domain_is_held(shop):
    held = review(shop, invitation={"email": f"staff@{shop.domain}"})
    assert held.state == ReviewState.HELD
    assert held.signals == ["shop_domain"]
    assert held.shop.rating.count == 0 if hasattr(held.shop, "rating") else True


def test_repeated_text_is_held(shop):
    text = "Absolutely the best shop I have ever bought from, highly recommended!"
    review(shop, comment=text)
    copied = review(shop, comment=text.upper())
    assert copied.state == ReviewState.HELD
    assert "repeated_text" in copied.signals
