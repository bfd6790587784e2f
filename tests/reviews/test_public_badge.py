"""The badge with stars and the verification page's link to the rating profile."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from reviews.services import withdraw_review
from tests.reviews.helpers import review, reviews_on


def badge_svg(client, shop) -> str:
    return client.get(reverse("badge_svg", args=[shop.public_id])).content.decode()


def badge_json(client, shop) -> dict:
    return client.get(reverse("badge_json", args=[shop.public_id])).json()


@pytest.fixture
def shop(active_mark):
    return active_mark.shop


def test_badge_shows_grade_stars_and_count_when_reviews_are_on(client, shop):
    reviews_on(shop)
    review(shop, service=5, delivery=4)
    review(shop, service=4)
    svg = badge_svg(client, shop)
    assert "4.33" in svg  # (5 + 4 + 4) / 3
    with translation.override(shop.language):  # the badge speaks the shop's language
        count = ngettext("%(count)s review", "%(count)s reviews", 2) % {"count": 2}
    assert count in svg
    assert svg.count("<polygon") == 5
    data = badge_json(client, shop)
    assert data["status"] == "valid"
    assert data["reviews"]["grade"] == "4.33"
    assert data["reviews"]["count"] == 2
    assert data["reviews"]["profile_url"].endswith(
        reverse("reviews:profile", args=[shop.public_id])
    )


def test_badge_has_no_stars_without_reviews_on(client, shop):
    review_settings = reviews_on(shop)
    review(shop, service=5)
    review_settings.enabled = False
    review_settings.save(update_fields=["enabled"])
    from certification.verification import invalidate_shop

    invalidate_shop(shop.pk)
    svg = badge_svg(client, shop)
    assert "<polygon" not in svg
    assert "review" not in svg
    assert "reviews" not in badge_json(client, shop)


def test_badge_has_no_stars_before_the_first_review(client, shop):
    reviews_on(shop)
    assert "<polygon" not in badge_svg(client, shop)
    assert "reviews" not in badge_json(client, shop)


def test_badge_of_a_shop_without_a_valid_mark_shows_no_stars(client, world):
    reviews_on(world.other_shop)
    review(world.other_shop, service=5)
    assert badge_json(client, world.other_shop)["status"] == "not_verified"
    assert "<polygon" not in badge_svg(client, world.other_shop)


def test_badge_follows_each_new_and_withdrawn_review(
    client, shop, django_capture_on_commit_callbacks
):
    reviews_on(shop)
    with django_capture_on_commit_callbacks(execute=True):
        first = review(shop, service=5)
    assert badge_json(client, shop)["reviews"]["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        review(shop, service=3)
    assert badge_json(client, shop)["reviews"] == {
        "grade": "4.00",
        "count": 2,
        "profile_url": badge_json(client, shop)["reviews"]["profile_url"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_review(review=first)
    assert badge_json(client, shop)["reviews"]["grade"] == "3.00"


def test_warm_badge_with_stars_makes_no_sql_query(client, shop, django_assert_num_queries):
    reviews_on(shop)
    review(shop, service=5)
    url = reverse("badge_svg", args=[shop.public_id])
    client.get(url)
    with django_assert_num_queries(0):
        assert "5.00" in client.get(url).content.decode()


def test_verification_page_links_to_the_profile_only_with_reviews_on(client, shop):
    page = reverse("verify_mark", args=[shop.marks.get().number])
    profile = reverse("reviews:profile", args=[shop.public_id])
    assert profile not in client.get(page).content.decode()
    reviews_on(shop)
    from certification.verification import invalidate_shop

    invalidate_shop(shop.pk)
    html = client.get(page).content.decode()
    assert profile in html
    assert "Read the reviews" in html
