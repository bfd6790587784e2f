"""The rating profile's arithmetic against hand-worked examples, band edges and the window."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from reviews.models import Review
from reviews.ratings import band, refresh_shop_rating, rounded, shop_figures, window_start
from tests.reviews.helpers import review, reviews_on


@pytest.mark.parametrize(
    ("grade", "label"),
    [
        ("5.00", "Excellent"),
        ("4.50", "Excellent"),
        ("4.49", "Good"),
        ("3.50", "Good"),
        ("3.49", "Fair"),
        ("2.50", "Fair"),
        ("2.49", "Poor"),
        ("1.50", "Poor"),
        ("1.49", "Very poor"),
        ("1.00", "Very poor"),
    ],
)
def test_band_edges(grade, label):
    assert band(Decimal(grade))[0] == label


def test_no_grade_has_no_band():
    assert band(None) is None


def test_rounding_is_half_up_to_two_places():
    assert rounded(9, 2) == Decimal("4.50")
    assert rounded(4489, 1000) == Decimal("4.49")
    assert rounded(44895, 10000) == Decimal("4.49")  # 4.4895 → 4.49
    assert rounded(44995, 10000) == Decimal("4.50")  # 4.4995 → 4.50 (half up)
    assert rounded(0, 0) is None


def test_each_criterion_weighs_by_its_number_of_ratings(world):
    reviews_on(world.shop)
    # Review 1 rates all three criteria: 5, 4, 3. Review 2 rates service only: 1.
    review(world.shop, service=5, delivery=4, product_rating=3)
    review(world.shop, service=1)
    figures = shop_figures(world.shop.pk)
    # (5 + 4 + 3 + 1) / 4 ratings = 3.25, not the mean of the criterion means (3 + 4 + 3) / 3.
    assert figures["grade"] == Decimal("3.25")
    assert figures["service"] == Decimal("3.00")
    assert figures["delivery"] == Decimal("4.00")
    assert figures["product"] == Decimal("3.00")
    assert figures["count"] == 2
    assert figures["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 0}


def test_grade_of_four_and_a_half_is_excellent(world):
    reviews_on(world.shop, mode="one")
    review(world.shop, service=5)
    review(world.shop, service=4)
    rating = world.shop.rating
    rating.refresh_from_db()
    assert rating.grade == Decimal("4.50")
    assert band(rating.grade)[0] == "Excellent"


def test_the_window_counts_twelve_months_to_the_day(world):
    reviews_on(world.shop)
    with freeze_time("2025-03-10 12:00:00"):
        review(world.shop, service=1)
    with freeze_time("2025-03-11 12:00:00"):
        review(world.shop, service=5)
    with freeze_time("2026-03-10 09:00:00"):
        assert window_start() == timezone.localdate().replace(year=2025)
        assert shop_figures(world.shop.pk)["count"] == 2
    with freeze_time("2026-03-11 09:00:00"):
        figures = shop_figures(world.shop.pk)
        assert figures["count"] == 1
        assert figures["grade"] == Decimal("5.00")
    with freeze_time("2026-03-12 09:00:00"):
        assert refresh_shop_rating(world.shop.pk).grade is None


def test_archived_and_withdrawn_reviews_are_not_counted(world):
    reviews_on(world.shop)
    review(world.shop, service=1)
    kept = review(world.shop, service=5)
    Review.objects.exclude(pk=kept.pk).update(archived_at=timezone.now() - timedelta(days=1))
    assert shop_figures(world.shop.pk)["grade"] == Decimal("5.00")
