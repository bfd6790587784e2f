"""The public product reviews page, its photos and its schema.org Product markup."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from reviews.models import Decision, ReportReason, ReviewPhoto
from reviews.moderation import decide, report_review
from reviews.services import withdraw_review
from tests.factories import staff_user
from tests.reviews.helpers import product, product_review, reviews_on
from tests.reviews.public_helpers import json_ld, many_product_reviews


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.fixture
def mug(shop):
    return product(shop, "MUG-1", name="Blue mug", gtin="4006381333931", brand="Potter")


def page(client, shop, sku, **query):
    return client.get(reverse("reviews:product", args=[shop.public_id, sku]), query)


def picture() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("mug.png", buffer.getvalue(), content_type="image/png")


def test_product_page_shows_average_count_distribution_and_reviews(client, shop, mug):
    product_review(shop, mug, stars=5, title="Lovely", text="Keeps the tea hot.")
    product_review(shop, mug, stars=2, text="Chipped on arrival.")
    response = page(client, shop, "MUG-1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Blue mug" in html
    assert "3.50" in html
    assert "2 reviews" in html
    assert html.index("Chipped on arrival.") < html.index("Keeps the tea hot.")
    assert "Verified purchase" in html


def test_product_page_filters_by_stars(client, shop, mug):
    product_review(shop, mug, stars=5, text="Keeps the tea hot.")
    product_review(shop, mug, stars=2, text="Chipped on arrival.")
    html = page(client, shop, "MUG-1", stars=2).content.decode()
    assert "Chipped on arrival." in html
    assert "Keeps the tea hot." not in html


def test_unknown_sku_or_shop_is_a_404(client, shop, mug, world):
    assert page(client, shop, "NOPE").status_code == 404
    other = product(world.charlie_shop, "THEIRS")
    assert page(client, shop, other.sku).status_code == 404
    url = reverse("reviews:product", args=["unknown-shop-1", "MUG-1"])
    assert client.get(url).status_code == 404


def test_product_json_ld_is_a_product_with_aggregate_rating_and_reviews(client, shop, mug):
    product_review(shop, mug, stars=5, title="Lovely", text="Keeps the tea hot.")
    product_review(shop, mug, stars=4, text="Good.")
    data = json_ld(page(client, shop, "MUG-1").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "Blue mug"
    assert data["sku"] == "MUG-1"
    assert data["gtin13"] == "4006381333931"
    assert data["brand"] == {"@type": "Brand", "name": "Potter"}
    assert data["aggregateRating"]["@type"] == "AggregateRating"
    assert data["aggregateRating"]["ratingValue"] == 4.5
    assert data["aggregateRating"]["reviewCount"] == 2
    assert data["aggregateRating"]["bestRating"] == 5
    assert len(data["review"]) == 2
    lovely = data["review"][1]
    assert lovely["@type"] == "Review"
    assert lovely["name"] == "Lovely"
    assert lovely["reviewBody"] == "Keeps the tea hot."
    assert lovely["reviewRating"]["ratingValue"] == 5
    assert lovely["author"]["@type"] == "Person"


def test_product_without_reviews_has_no_aggregate_rating(client, shop, mug):
    data = json_ld(page(client, shop, "MUG-1").content.decode())
    assert data["@type"] == "Product"
    assert "aggregateRating" not in data
    assert "review" not in data


def test_photo_is_served_while_its_review_is_shown(client, shop, mug):
    done = product_review(shop, mug, stars=5, photos=[picture()])
    photo = done.photos.get()
    html = page(client, shop, "MUG-1").content.decode()
    url = reverse("reviews:photo", args=[photo.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == photo.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # re-encoded as JPEG
    withdraw_review(review=done)
    assert client.get(url).status_code == 404


def test_removed_photo_and_photos_of_hidden_reviews_are_not_served(client, shop, mug, world):
    done = product_review(shop, mug, stars=1, photos=[picture(), picture()])
    first, second = done.photos.all()
    ReviewPhoto.objects.filter(pk=first.pk).update(removed_at=timezone.now())
    assert client.get(reverse("reviews:photo", args=[first.pk])).status_code == 404
    assert client.get(reverse("reviews:photo", args=[second.pk])).status_code == 200
    report_review(
        review=done,
        reporter=world.alice,
        reason=ReportReason.PERSONAL_DATA,
        text="My face.",
        good_faith=True,
    )
    assert client.get(reverse("reviews:photo", args=[second.pk])).status_code == 404
    assert client.get(reverse("reviews:photo", args=[999999])).status_code == 404


def test_product_rating_never_stale_after_publish_removal_and_withdrawal(client, shop, mug):
    moderator = staff_user(Role.MODERATOR, email="mod@trustmark.example")
    good = product_review(shop, mug, stars=5, text="Great.")
    bad = product_review(shop, mug, stars=1, text="You are all crooks.")
    assert "3.00" in page(client, shop, "MUG-1").content.decode()
    report = report_review(
        review=bad,
        reporter=None,
        email="someone@example.org",
        reason=ReportReason.INSULTING,
        text="Insult.",
        good_faith=True,
    )
    decide(
        report=report,
        actor=moderator,
        decision=Decision.REMOVED,
        reason="Insult.",
        removal_note="Insult removed.",
    )
    html = page(client, shop, "MUG-1").content.decode()
    assert "5.00" in html
    assert "This review was removed." in html
    assert "crooks" not in html
    withdraw_review(review=good)
    assert "No rating yet" in page(client, shop, "MUG-1").content.decode()


def test_product_page_makes_the_same_number_of_queries_for_10_and_1000_reviews(
    client, shop, mug, django_assert_max_num_queries, django_assert_num_queries
):
    many_product_reviews(shop, mug, 10)
    with django_assert_max_num_queries(20) as small:
        assert page(client, shop, "MUG-1").status_code == 200
    many_product_reviews(shop, mug, 990)
    with django_assert_num_queries(len(small.captured_queries)):
        assert page(client, shop, "MUG-1").status_code == 200
