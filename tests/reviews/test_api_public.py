"""The public review API: shapes that match the OpenAPI schema, filters, cursor pages, 404s."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from reviews.models import Review
from reviews.services import reply
from tests.reviews.helpers import product, product_review, review, reviews_on
from tests.reviews.public_helpers import many_product_reviews, many_shop_reviews


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.fixture(scope="module")
def openapi():
    from django.test import Client

    return Client().get("/api/schema/").json()


def _inline(node, root):
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(root["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]], root)
        return {k: _inline(v, root) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, root) for v in node]
    return node


def conforms(openapi, path, response):
    """The answer is one the schema declares for this path and status."""
    operation = openapi["paths"][path]["get"]
    declared = operation["responses"][str(response.status_code)]
    body = declared["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator(
        _inline(body, openapi), format_checker=jsonschema.FormatChecker()
    ).validate(response.json())
    return response.json()


REVIEWS = "/api/v1/shops/{public_id}/reviews"
RATING = "/api/v1/shops/{public_id}/rating"
P_REVIEWS = "/api/v1/shops/{public_id}/products/{sku}/reviews"
P_RATING = "/api/v1/shops/{public_id}/products/{sku}/rating"
PRODUCTS = "/api/v1/shops/{public_id}/products"


def get(client, template, **params):
    query = params.pop("query", {})
    return client.get(template.format(**params), query)


def test_reviews_list_items_in_the_documented_shape(client, shop, world, openapi):
    answered = review(shop, service=5, delivery=4, comment="Fast.", language="de")
    reply(review=answered, actor=world.alice, text="Danke!")
    review(shop, service=2)
    response = get(client, REVIEWS, public_id=shop.public_id)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    data = conforms(openapi, REVIEWS, response)
    assert data["next"] is None
    newest, older = data["items"]
    assert newest["ratings"] == {"service": 2}
    assert older["ratings"] == {"service": 5, "delivery": 4}
    assert older["comment"] == "Fast."
    assert older["language"] == "de"
    assert older["label"] == "verified"
    assert older["reply"]["text"] == "Danke!"
    assert newest["reply"] is None


def test_rating_gives_grade_band_count_criteria_and_profile_url(client, shop, openapi):
    review(shop, service=5, delivery=4, product_rating=4)
    review(shop, service=5, delivery=5, product_rating=5)
    data = conforms(openapi, RATING, get(client, RATING, public_id=shop.public_id))
    assert data["grade"] == 4.67
    assert data["label"] == "Excellent"
    assert data["count"] == 2
    assert data["criteria"] == {"service": 5.0, "delivery": 4.5, "product": 4.5}
    assert data["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert data["profile_url"].endswith(f"/reviews/{shop.public_id}/")
    assert data["window_start"]


def test_rating_of_a_shop_without_reviews_is_null(client, world, openapi):
    data = conforms(openapi, RATING, get(client, RATING, public_id=world.other_shop.public_id))
    assert data["grade"] is None
    assert data["label"] is None
    assert data["count"] == 0
    assert data["reviews_on"] is False
    listed = conforms(openapi, REVIEWS, get(client, REVIEWS, public_id=world.other_shop.public_id))
    assert listed == {"items": [], "next": None}


def test_unknown_or_closed_shop_is_a_404_naming_the_field(client, shop, openapi):
    for path in (REVIEWS, RATING, PRODUCTS):
        response = get(client, path, public_id="unknown-shop-123")
        assert response.status_code == 404
        assert conforms(openapi, path, response)["field"] == "public_id"
    shop.closed_at = timezone.now()
    shop.save(update_fields=["closed_at"])
    assert get(client, RATING, public_id=shop.public_id).status_code == 404


def test_filters_by_rating_reply_and_dates(client, shop, world):
    old = review(shop, service=1, comment="Old and bad.")
    Review.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    answered = review(shop, service=5, comment="Great.")
    reply(review=answered, actor=world.alice, text="Thanks.")
    review(shop, service=5, comment="Also great.")

    def comments(**query):
        response = get(client, REVIEWS, public_id=shop.public_id, query=query)
        assert response.status_code == 200, response.content
        return [item["comment"] for item in response.json()["items"]]

    assert comments(rating=1) == ["Old and bad."]
    assert comments(has_reply="true") == ["Great."]
    assert comments(has_reply="false") == ["Also great.", "Old and bad."]
    cutoff = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert comments(submitted_before=cutoff) == ["Old and bad."]
    assert comments(submitted_after=cutoff) == ["Also great.", "Great."]
    assert comments(submitted_after=(timezone.now() - timedelta(days=41)).isoformat()) == [
        "Also great.",
        "Great.",
        "Old and bad.",
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"has_reply": "maybe"}, "has_reply"),
        ({"submitted_after": "yesterday"}, "submitted_after"),
        ({"submitted_before": "2024-13-01"}, "submitted_before"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_filter_values_are_a_422_naming_the_field(client, shop, openapi, query, field):
    response = get(client, REVIEWS, public_id=shop.public_id, query=query)
    assert response.status_code == 422
    body = conforms(openapi, REVIEWS, response)
    assert body["field"] == field
    assert body["code"] == "invalid"


def test_cursor_pages_walk_every_review_once_newest_first(client, shop, openapi):
    made = many_shop_reviews(shop, 45)
    seen, url, pages = [], REVIEWS.format(public_id=shop.public_id) + "?limit=20", 0
    while url:
        data = conforms(openapi, REVIEWS, client.get(url))
        seen += [item["id"] for item in data["items"]]
        url, pages = data["next"], pages + 1
        assert url is None or url.startswith("http://testserver/api/v1/shops/")
    assert pages == 3
    assert seen == [r.pk for r in made]  # made newest first
    assert len(set(seen)) == 45


def test_cursor_keeps_the_filters(client, shop):
    many_shop_reviews(shop, 5, stars=2)
    many_shop_reviews(shop, 5, stars=4)
    first = get(client, REVIEWS, public_id=shop.public_id, query={"rating": 2, "limit": 3}).json()
    assert "rating=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(first["items"]) + len(second["items"]) == 5
    assert {item["ratings"]["service"] for item in second["items"]} == {2}


def test_a_cursor_of_another_signature_is_refused(client, shop):
    from django.core import signing

    forged = signing.dumps(["2020-01-01T00:00:00+00:00", 1], salt="something else")
    response = get(client, REVIEWS, public_id=shop.public_id, query={"cursor": forged})
    assert response.status_code == 422


def test_hidden_removed_and_withdrawn_reviews_are_not_listed(client, shop):
    shown = review(shop, comment="Shown.")
    hidden = review(shop, comment="Hidden.")
    Review.objects.filter(pk=hidden.pk).update(state="reported", hidden=True)
    removed = review(shop, comment="Removed.")
    Review.objects.filter(pk=removed.pk).update(state="removed")
    data = get(client, REVIEWS, public_id=shop.public_id).json()
    assert [item["id"] for item in data["items"]] == [shown.pk]


def test_list_makes_the_same_number_of_queries_for_10_and_1000_reviews(
    client, shop, django_assert_max_num_queries, django_assert_num_queries
):
    many_shop_reviews(shop, 10, reply="Thank you.")
    with django_assert_max_num_queries(10) as small:
        assert len(get(client, REVIEWS, public_id=shop.public_id).json()["items"]) == 10
    many_shop_reviews(shop, 990, reply="Thank you.")
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(get(client, REVIEWS, public_id=shop.public_id).json()["items"]) == 20


def test_product_reviews_and_rating_in_the_same_shapes(client, shop, openapi):
    item = product(shop, "MUG-1", name="Blue mug")
    product_review(shop, item, stars=5, text="Lovely.", title="Nice mug")
    product_review(shop, item, stars=2, text="Chipped.")
    data = conforms(
        openapi, P_REVIEWS, get(client, P_REVIEWS, public_id=shop.public_id, sku="MUG-1")
    )
    assert [i["ratings"] for i in data["items"]] == [{"product": 2}, {"product": 5}]
    assert data["items"][1]["title"] == "Nice mug"
    assert data["items"][1]["comment"] == "Lovely."
    rating = conforms(
        openapi, P_RATING, get(client, P_RATING, public_id=shop.public_id, sku="MUG-1")
    )
    assert rating["grade"] == 3.5
    assert rating["label"] == "Good"
    assert rating["count"] == 2
    assert rating["reviews_url"].endswith(f"/reviews/{shop.public_id}/products/MUG-1/")


def test_unknown_sku_is_a_404_naming_the_sku(client, shop, openapi):
    for path in (P_REVIEWS, P_RATING):
        response = get(client, path, public_id=shop.public_id, sku="NOPE")
        assert response.status_code == 404
        assert conforms(openapi, path, response)["field"] == "sku"


def test_rated_products_lists_only_reviewed_ones_with_their_figures(client, shop, openapi):
    rated = product(shop, "A-1", name="Rated")
    product(shop, "B-2", name="Never reviewed")
    product_review(shop, rated, stars=4)
    data = conforms(
        openapi, PRODUCTS, get(client, PRODUCTS, public_id=shop.public_id, query={"rated": "true"})
    )
    assert [p["sku"] for p in data["items"]] == ["A-1"]
    assert data["items"][0]["rating"]["grade"] == 4.0
    every = get(client, PRODUCTS, public_id=shop.public_id).json()
    assert [p["sku"] for p in every["items"]] == ["A-1", "B-2"]


def test_products_are_paged_by_cursor_with_constant_queries(
    client, shop, django_assert_num_queries
):
    for n in range(7):
        many_product_reviews(shop, product(shop, f"SKU-{n:02d}"), 2)
    first = get(client, PRODUCTS, public_id=shop.public_id, query={"rated": "true", "limit": 5})
    body = first.json()
    assert [p["sku"] for p in body["items"]] == [f"SKU-{n:02d}" for n in range(5)]
    with django_assert_num_queries(2):  # the shop, the page with its ratings
        rest = client.get(body["next"]).json()
    assert [p["sku"] for p in rest["items"]] == ["SKU-05", "SKU-06"]
    assert rest["next"] is None


def test_product_list_of_another_shop_does_not_show(client, shop, world):
    product(world.charlie_shop, "THEIRS")
    data = get(client, PRODUCTS, public_id=shop.public_id).json()
    assert "THEIRS" not in [p["sku"] for p in data["items"]]
    assert get(client, P_RATING, public_id=shop.public_id, sku="THEIRS").status_code == 404


# Generated requests against the public review endpoints: never a 5xx, always a declared answer.

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_schemathesis import schema as api_schema  # noqa: E402

FUZZED = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def rated_shop(world):
    reviews_on(world.shop)
    review(world.shop, service=4, comment="Fuzzed.")
    product_review(world.shop, product(world.shop, "MUG-1"), stars=3)
    return world.shop


@pytest.mark.django_db(transaction=True)
@api_schema.include(path_regex="^/api/v1/shops/").parametrize()
@FUZZED
def test_no_public_review_call_gets_a_5xx_or_an_undeclared_answer(case, rated_shop):
    params = case.path_parameters or {}
    # Half the cases ask about the real shop and product, so the query filters reach the data;
    # the other half keep the generated path (unknown ids, odd characters).
    if len(params.get("public_id", "")) % 2 == 0:
        params["public_id"] = rated_shop.public_id
        if "sku" in params:
            params["sku"] = "MUG-1"
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
