"""Insight exports: reviews, product reviews, funnel and themes as CSV and XLSX, scoped."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews import themes
from tests.reviews.helpers import product, product_review, review, reviews_on


@pytest.fixture(autouse=True)
def _fresh_taxonomy():
    themes.forget()


@pytest.fixture
def shops(world):
    reviews_on(world.shop)
    reviews_on(world.charlie_shop)
    review(world.shop, service=4, comment="Nordlicht delivery was quick.")
    product_review(world.shop, product(world.shop, "LAMP-1"), stars=2, text="Nordlicht lamp broke.")
    review(world.charlie_shop, service=5, comment="Lumière parcel arrived late.")
    product_review(world.charlie_shop, product(world.charlie_shop, "VASE-9"), text="Lumière vase.")
    return world


def url(kind: str) -> str:
    return reverse("review_insights:export", args=[kind])


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_owner_exports_their_reviews_and_not_another_members(client, shops):
    client.force_login(shops.alice)
    response = client.get(url("reviews"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Review", "Submitted", "Published", "Shop", "Stars"]
    text = "\n".join(",".join(row) for row in body)
    assert "Nordlicht delivery was quick." in text
    assert "Delivery time" in text  # the review's themes, by name
    assert "Lumière" not in text
    assert "@" not in text  # no author's email


def test_an_outsider_naming_another_shop_exports_only_their_own(client, shops):
    client.force_login(shops.charlie)
    rows = read_csv(client.get(url("reviews"), {"export": "csv", "shop": shops.shop.pk}))
    text = "\n".join(",".join(row) for row in rows)
    assert "Lumière parcel arrived late." in text
    assert "Nordlicht" not in text


def test_product_reviews_export_as_xlsx_with_the_product(client, shops):
    client.force_login(shops.alice)
    response = client.get(url("product-reviews"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:6] == ("SKU", "Product")
    assert [(r[4], r[7], r[9]) for r in rows[1:]] == [("LAMP-1", 2, "Nordlicht lamp broke.")]


def test_the_funnel_and_theme_figures_export_with_the_persons_shops_only(client, shops):
    client.force_login(shops.charlie)
    funnel = read_csv(client.get(url("funnel"), {"export": "csv", "months": 6}))
    assert funnel[0][:3] == ["Month", "Scheduled", "Sent"]
    assert len(funnel) == 1 + 6
    assert sum(int(row[1]) for row in funnel[1:]) == 2  # charlie's two invitations
    figures = read_csv(client.get(url("themes"), {"export": "csv"}))
    assert figures[0] == ["Month", "Theme", "Code", "Reviews", "Average stars"]
    delivery = [row for row in figures[1:] if row[2] == "delivery_time" and row[3] != "0"]
    assert [(row[3], row[4]) for row in delivery] == [("1", "5.00")]


def test_headers_follow_the_persons_language(client, shops):
    shops.alice.language = "fr"
    shops.alice.save(update_fields=["language"])
    client.force_login(shops.alice)
    header = read_csv(client.get(url("reviews"), {"export": "csv"}))[0]
    assert "Boutique" in header
    assert "Statut" in header


def test_an_unknown_export_is_a_404(client, shops):
    client.force_login(shops.alice)
    assert client.get(url("everything"), {"export": "csv"}).status_code == 404


def test_a_person_without_the_reviews_right_exports_nothing(client, shops):
    client.force_login(shops.bob)
    assert client.get(url("reviews"), {"export": "csv"}).status_code == 403
