"""A miss or a refusal is a page of the product, in the person's language, with a way back."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_styled_translated_and_offers_the_way_back(client, world):
    client.force_login(world.alice)
    response = client.get("/portal/shops/no-such-shop/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "site.css" in page
    assert "Page not found" in page
    assert reverse("portal:home") in page
    client.post(reverse("accounts:set_language"), {"language": "de"})
    german = client.get("/portal/shops/no-such-shop/").content.decode()
    assert "Seite nicht gefunden" in german


def test_a_refusal_says_why(client, db):
    client.force_login(UserFactory(email="nobody@example.com"))
    refused = client.get(reverse("guarantee_portal:list"))
    assert refused.status_code == 403
    assert "cases right" in refused.content.decode()
