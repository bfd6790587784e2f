"""Review widgets for the shop's own site: framable HTML and JSON, cached, never stale."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.services import withdraw_review
from tests.reviews.helpers import product, product_review, review, reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


def shop_json(client, shop):
    return client.get(reverse("reviews:widget_json", args=[shop.public_id])).json()


def product_json(client, shop, sku):
    return client.get(reverse("reviews:product_widget_json", args=[shop.public_id, sku])).json()


def test_shop_widget_shows_grade_count_and_latest_reviews(client, shop):
    review(shop, service=5, delivery=4, comment="Fast and friendly.")
    review(shop, service=3, comment="Fine.")
    response = client.get(reverse("reviews:widget", args=[shop.public_id]) + "?lang=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "4.00" in html
    assert "2 reviews" in html
    assert "Fast and friendly." in html
    assert reverse("reviews:profile", args=[shop.public_id]) in html
    data = shop_json(client, shop)
    assert data["grade"] == "4.00"
    assert data["label"] == "Good"
    assert data["count"] == 2
    assert [item["comment"] for item in data["latest"]] == ["Fine.", "Fast and friendly."]


def test_shop_widget_may_be_framed_by_any_site_but_the_profile_may_not(client, shop):
    review(shop)
    widget = client.get(reverse("reviews:widget", args=[shop.public_id]))
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "script-src" not in widget["Content-Security-Policy"]  # default-src 'none'
    profile = client.get(reverse("reviews:profile", args=[shop.public_id]))
    assert profile["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in profile["Content-Security-Policy"]


def test_widget_speaks_the_asked_language(client, shop):
    review(shop)
    html = client.get(reverse("reviews:widget", args=[shop.public_id]), {"lang": "de"})
    assert '<html lang="de">' in html.content.decode()


def test_warm_widget_answers_without_sql_and_with_an_etag(client, shop, django_assert_num_queries):
    review(shop)
    url = reverse("reviews:widget", args=[shop.public_id])
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        client.get(reverse("reviews:widget_json", args=[shop.public_id]))
    assert again.status_code == 304


def test_widget_follows_a_new_and_a_withdrawn_review(
    client, shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = review(shop, service=5, comment="First.")
    assert shop_json(client, shop)["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        review(shop, service=1, comment="Second.")
    data = shop_json(client, shop)
    assert data["count"] == 2
    assert data["latest"][0]["comment"] == "Second."
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_review(review=first)
    data = shop_json(client, shop)
    assert data["grade"] == "1.00"
    assert [item["comment"] for item in data["latest"]] == ["Second."]


def test_widget_of_a_shop_without_reviews_says_so(client, world):
    data = shop_json(client, world.other_shop)
    assert data["reviews_on"] is False
    assert data["grade"] is None
    html = client.get(reverse("reviews:widget", args=[world.other_shop.public_id]) + "?lang=en")
    assert "does not collect reviews" in html.content.decode()


def test_widgets_of_unknown_shops_and_skus_are_404(client, shop):
    assert client.get(reverse("reviews:widget", args=["unknown-shop-1"])).status_code == 404
    assert client.get(reverse("reviews:widget_json", args=["unknown-shop-1"])).status_code == 404
    url = reverse("reviews:product_widget", args=[shop.public_id, "NOPE"])
    assert client.get(url).status_code == 404


def test_product_widget_shows_stars_count_and_latest_and_follows_changes(
    client, shop, django_capture_on_commit_callbacks
):
    mug = product(shop, "MUG-1", name="Blue mug")
    with django_capture_on_commit_callbacks(execute=True):
        kept = product_review(shop, mug, stars=4, title="Solid", text="Solid mug.")
    url = reverse("reviews:product_widget", args=[shop.public_id, "MUG-1"]) + "?lang=en"
    html = client.get(url)
    assert html.status_code == 200
    assert "Solid mug." in html.content.decode()
    assert "1 review" in html.content.decode()
    assert product_json(client, shop, "MUG-1")["average"] == "4.00"
    with django_capture_on_commit_callbacks(execute=True):
        product_review(shop, mug, stars=2, text="Cracked.")
    data = product_json(client, shop, "MUG-1")
    assert data["average"] == "3.00"
    assert data["count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_review(review=kept)
    assert product_json(client, shop, "MUG-1")["average"] == "2.00"


def test_widget_speaks_the_shops_language_unless_asked(client, shop):
    shop.language = "fr"
    shop.save(update_fields=["language"])
    review(shop)
    html = client.get(reverse("reviews:widget", args=[shop.public_id])).content.decode()
    assert '<html lang="fr">' in html
    asked = client.get(reverse("reviews:widget", args=[shop.public_id]), {"lang": "en"})
    assert '<html lang="en">' in asked.content.decode()
