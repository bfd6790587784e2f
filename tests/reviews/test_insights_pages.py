"""The insights pages: who sees which shop's figures, the reviews behind a figure, queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from reviews import themes
from reviews.models import Review
from reviews.ratings import visible
from tests.factories import staff_user
from tests.reviews.helpers import invitation, review, reviews_on

OVERVIEW = reverse("review_insights:overview")
REVIEWS = reverse("review_insights:reviews")


@pytest.fixture(autouse=True)
def _fresh_taxonomy():
    themes.forget()


@pytest.fixture
def shops(world):
    reviews_on(world.shop)
    reviews_on(world.charlie_shop)
    review(world.shop, service=2, comment="Delivery took three weeks, gift wrapping torn.")
    review(world.shop, service=5, comment="Lovely gift wrapping and quick delivery.")
    review(world.charlie_shop, service=4, comment="Charlie's secret parcel arrived late.")
    return world


def test_the_owner_sees_the_funnel_themes_and_benchmark_of_their_shop(client, shops):
    client.force_login(shops.alice)
    page = client.get(OVERVIEW, {"shop": shops.shop.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Invitation funnel" in html
    assert "Delivery time" in html
    assert f"theme=delivery_time&amp;month={timezone.localdate():%Y-%m}" in html
    assert "Not enough comparable shops yet." in html
    assert page.context["funnel_total"].counts["reviewed"] == 2


def test_an_employee_without_the_reviews_right_is_refused(client, shops):
    client.force_login(shops.bob)  # bob holds the cases right only
    assert client.get(OVERVIEW).status_code == 403


def test_an_employee_with_the_right_on_one_shop_sees_only_that_shop(client, shops):
    set_rights(
        actor=shops.alice,
        member=shops.member,
        person=shops.bob,
        rights={Right(Area.REVIEWS, shops.other_shop.pk)},
    )
    client.force_login(shops.bob)
    page = client.get(OVERVIEW, {"shop": shops.shop.pk})  # not his: ignored
    assert page.status_code == 200
    assert page.context["shop"] == shops.other_shop
    assert page.context["funnel_total"].counts["scheduled"] == 0


def test_an_outsider_asking_for_another_shop_gets_only_their_own_figures(client, shops):
    client.force_login(shops.charlie)
    page = client.get(OVERVIEW, {"shop": shops.shop.pk})
    assert page.context["shop"] == shops.charlie_shop
    assert page.context["funnel_total"].counts["reviewed"] == 1
    listing = client.get(REVIEWS, {"shop": shops.shop.pk, "theme": "delivery_time"})
    html = listing.content.decode()
    assert "three weeks" not in html
    assert "secret parcel" in html


def test_a_click_on_a_theme_lists_the_reviews_behind_it(client, shops):
    client.force_login(shops.alice)
    listing = client.get(
        REVIEWS,
        {"shop": shops.shop.pk, "theme": "delivery_time", "month": f"{timezone.localdate():%Y-%m}"},
    )
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "three weeks" in html
    assert "quick delivery" in html
    assert "secret parcel" not in html
    negative = client.get(REVIEWS, {"shop": shops.shop.pk, "stars": "negative"}).content.decode()
    assert "three weeks" in negative
    assert "quick delivery" not in negative


def test_a_click_on_a_phrase_lists_the_reviews_using_it(client, shops):
    client.force_login(shops.alice)
    page = client.get(OVERVIEW, {"shop": shops.shop.pk})
    assert "gift wrapping" in [p.text for p in page.context["phrases"]]
    html = client.get(REVIEWS, {"shop": shops.shop.pk, "phrase": "gift wrapping"}).content.decode()
    assert "three weeks" in html
    assert "Lovely gift wrapping" in html
    assert "secret parcel" not in html


def test_a_moderator_sees_every_shop_and_the_markets(client, shops):
    client.force_login(staff_user(Role.MODERATOR))
    page = client.get(OVERVIEW)
    assert page.status_code == 200
    assert page.context["every_shop"] is True
    assert page.context["funnel_total"].counts["reviewed"] == 3
    assert page.context["groups"] == []


def test_the_page_makes_the_same_number_of_queries_for_few_and_many_reviews(
    client, shops, django_assert_max_num_queries
):
    client.force_login(shops.alice)
    client.get(OVERVIEW, {"shop": shops.shop.pk})  # the taxonomy and the phrase cache warm up
    with django_assert_max_num_queries(200) as few:
        client.get(OVERVIEW, {"shop": shops.shop.pk})
    allowed = len(few.captured_queries)  # read now: the next request resets the log
    for n in range(25):
        review(shops.shop, service=1 + n % 5, comment=f"Parcel number {n} came late, refund ok.")
        invitation(shops.shop, sent_at=timezone.now() - timedelta(days=n))
    client.get(OVERVIEW, {"shop": shops.shop.pk})
    with django_assert_max_num_queries(allowed):
        page = client.get(OVERVIEW, {"shop": shops.shop.pk})
    assert page.context["funnel_total"].counts["reviewed"] == 27  # held ones too
    assert page.context["funnel_total"].counts["scheduled"] == 52


def test_the_reviews_list_makes_the_same_number_of_queries_for_few_and_many(
    client, shops, django_assert_max_num_queries
):
    client.force_login(shops.alice)
    with django_assert_max_num_queries(200) as few:
        client.get(REVIEWS, {"theme": "delivery_time"})
    allowed = len(few.captured_queries)
    for n in range(20):
        review(shops.shop, comment=f"Delivery {n} was fine.")
    with django_assert_max_num_queries(allowed):
        listing = client.get(REVIEWS, {"theme": "delivery_time"})
    shown = visible(Review.objects.filter(shop=shops.shop, themes__contains=["delivery_time"]))
    assert listing.context["page"].paginator.count == shown.count() > 10
