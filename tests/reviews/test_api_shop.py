"""The shop's review API: invitations from the checkout and product upserts, with its key."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from guarantees.keys import create_api_key
from reviews.models import Invitation, Product
from tests.reviews.helpers import reviews_on


@pytest.fixture
def secret(world, active_mark):
    reviews_on(world.shop)
    _key, value = create_api_key(shop=world.shop, actor=world.alice, name="checkout")
    return value


@pytest.fixture
def charlie_secret(world):
    from certification.marks import issue_mark
    from tests.factories import staff_user

    issue_mark(shop=world.charlie_shop, actor=staff_user("administrator", email="a2@x.example"))
    reviews_on(world.charlie_shop)
    _key, value = create_api_key(shop=world.charlie_shop, actor=world.charlie, name="checkout")
    return value


def body(**changes):
    values = {
        "order_reference": "ORD-1",
        "email": "ines@example.org",
        "name": "Inès Dupont",
        "language": "fr",
        "order_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "lines": [
            {"sku": "LAMP-1", "name": "Desk lamp", "gtin": "4006381333931", "quantity": 2},
            {"sku": "BULB-2", "name": "Bulb"},
        ],
    }
    values.update(changes)
    return values


def post(client, secret, payload, key=None):
    return client.post(
        "/api/v1/invitations",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def put(client, secret, sku, payload, key=None):
    return client.put(
        f"/api/v1/products/{sku}",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def test_the_checkout_invites_an_order_with_its_items(client, secret, world):
    answer = post(client, secret, body())
    assert answer.status_code == 201, answer.content
    data = answer.json()
    invitation = Invitation.objects.get()
    assert data["id"] == invitation.pk
    assert data["state"] == "scheduled"
    assert data["review_until"] == invitation.review_until.isoformat()
    assert data["lines"] == 2
    assert invitation.shop == world.shop
    assert invitation.source == "api"
    assert sorted(invitation.lines.values_list("product__sku", "quantity")) == [
        ("BULB-2", 1),
        ("LAMP-1", 2),
    ]


def test_the_same_idempotency_key_and_body_replay_the_first_answer(client, secret):
    first = post(client, secret, body(), key="k-1")
    second = post(client, secret, body(), key="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Invitation.objects.count() == 1
    other = post(client, secret, body(order_reference="ORD-2"), key="k-1")
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"


def test_a_second_invitation_of_one_order_is_a_409(client, secret):
    assert post(client, secret, body()).status_code == 201
    again = post(client, secret, body(email="other@example.org"))
    assert again.status_code == 409
    assert again.json()["field"] == "order_reference"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"order_date": (timezone.localdate() + timedelta(days=3)).isoformat()}, "order_date"),
        ({"order_date": "yesterday"}, "order_date"),
        ({"lines": [{"sku": "X-1", "name": "Thing", "gtin": "4006381333932"}]}, "lines[0].gtin"),
        ({"lines": [{"sku": "X-1"}]}, "lines[0].name"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_bad_invitations_are_a_422_naming_the_field(client, secret, changes, field):
    answer = post(client, secret, body(**changes))
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == field
    assert not Invitation.objects.exists()
    assert not Product.objects.exists()


def test_without_a_valid_key_the_api_is_a_401(client, secret):
    assert post(client, "not-a-key", body()).status_code == 401
    assert (
        client.put("/api/v1/products/A", {"name": "x"}, content_type="application/json").status_code
        == 401
    )
    assert not Invitation.objects.exists()


def test_a_shop_with_reviews_off_gets_a_409(client, secret, world):
    reviews_on(world.shop, enabled=False)
    assert post(client, secret, body()).status_code == 409


def test_a_product_is_created_then_replaced_by_its_sku(client, secret, world):
    created = put(
        client, secret, "LAMP-1", {"name": "Desk lamp", "gtin": "4006381333931", "brand": "Lumo"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["gtin"] == "4006381333931"
    replaced = put(
        client, secret, "LAMP-1", {"name": "Desk lamp II", "url": "https://nordlicht.example/lamp"}
    )
    assert replaced.status_code == 200
    product = Product.objects.get()
    assert (product.shop, product.name, product.brand, product.gtin) == (
        world.shop,
        "Desk lamp II",
        "",
        "",
    )


def test_a_product_upsert_replays_with_the_same_key_and_not_for_another_sku(client, secret):
    first = put(client, secret, "A-1", {"name": "One"}, key="p-1")
    again = put(client, secret, "A-1", {"name": "One"}, key="p-1")
    assert (first.status_code, again.status_code) == (201, 201)
    other_sku = put(client, secret, "B-2", {"name": "One"}, key="p-1")
    assert other_sku.status_code == 422
    assert other_sku.json()["field"] == "Idempotency-Key"
    assert list(Product.objects.values_list("sku", flat=True)) == ["A-1"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Lamp", "gtin": "4006381333932"}, "gtin"),
        ({"name": "Lamp", "gtin": "12345"}, "gtin"),
        ({"name": ""}, "name"),
        ({"name": "Lamp", "image_url": "javascript:alert(1)"}, "image_url"),
    ],
)
def test_a_bad_product_is_a_422_naming_the_field(client, secret, payload, field):
    answer = put(client, secret, "LAMP-1", payload)
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert not Product.objects.exists()


def test_another_shops_key_never_touches_this_shops_product(client, secret, charlie_secret, world):
    put(client, secret, "LAMP-1", {"name": "Desk lamp"})
    answer = put(client, charlie_secret, "LAMP-1", {"name": "Charlie's lamp"})
    assert answer.status_code == 201  # a product of charlie's shop, with the same SKU
    assert Product.objects.get(shop=world.shop).name == "Desk lamp"
    assert Product.objects.get(shop=world.charlie_shop).name == "Charlie's lamp"


def test_the_openapi_schema_declares_the_review_endpoints_and_their_errors(client, db):
    schema = client.get("/api/schema/").json()
    invitations = schema["paths"]["/api/v1/invitations"]["post"]["responses"]
    products = schema["paths"]["/api/v1/products/{sku}"]["put"]["responses"]
    for code in ("201", "401", "409", "422", "429"):
        assert code in invitations
    for code in ("200", "201", "401", "422", "429"):
        assert code in products
