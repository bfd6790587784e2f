"""The Content-Security-Policy each kind of response carries (django-csp)."""

import pytest
from django.test import Client
from django.urls import reverse


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/verify/"])
def test_pages_allow_no_inline_code_and_are_never_framed(url):
    response = Client().get(url, follow=True)
    assert response.status_code == 200
    policy = directives(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_badge_loads_nothing_and_may_be_shown_on_any_site(active_mark):
    response = Client().get(reverse("badge_svg", args=[active_mark.shop.public_id]))
    assert response.status_code == 200
    policy = directives(response)
    assert policy == {"default-src": "'none'", "style-src": "'unsafe-inline'"}


@pytest.mark.django_db
def test_a_404_page_keeps_the_site_policy():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert directives(response)["frame-ancestors"] == "'none'"
