"""The verification page, its JSON and the badge: truthful, cached, cheap, never a 500."""

import pytest
from django.urls import reverse

from certification import misuse
from certification.marks import expire_due_marks, reinstate_mark, revoke_mark, suspend_mark
from certification.models import BadgeMisuse
from certification.verification import badge_payload

pytestmark = pytest.mark.django_db


def _badge(client, shop, **headers):
    return client.get(reverse("badge_svg", args=[shop.public_id]), **headers)


def _badge_json(client, shop):
    return client.get(reverse("badge_json", args=[shop.public_id])).json()


def _api(client, number):
    return client.get(f"/api/v1/marks/{number}")


def test_a_valid_mark_shows_valid_everywhere(client, active_mark):
    page = client.get(reverse("verify_mark", args=[active_mark.number]))
    assert page.status_code == 200
    assert "is a certified Trustmark member" in page.content.decode()
    assert "Nordlicht Handels GmbH" in page.content.decode()
    assert "up to EUR 100" in page.content.decode()
    api = _api(client, active_mark.number)
    assert api.status_code == 200
    body = api.json()
    assert set(body) == {
        "number",
        "status",
        "valid_from",
        "valid_until",
        "shop_name",
        "domain",
        "member_name",
        "country",
        "verification_url",
        "updated_at",
    }
    assert (body["status"], body["domain"], body["country"]) == (
        "active",
        "nordlicht.example",
        "DE",
    )
    assert body["verification_url"].endswith(f"/verify/{active_mark.number}/")
    svg = _badge(client, active_mark.shop)
    assert svg["Content-Type"] == "image/svg+xml"
    assert "Geprüfter Shop" in svg.content.decode()  # the badge speaks the shop's language
    assert "nordlicht.example" in svg.content.decode()
    assert _badge_json(client, active_mark.shop)["status"] == "valid"


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        (
            lambda m, a: suspend_mark(mark=m, actor=a, reason="unpaid_fees"),
            "suspended",
            "is suspended",
        ),
        (lambda m, a: revoke_mark(mark=m, actor=a, reason="fraud"), "revoked", "was revoked"),
        (
            lambda m, a: expire_due_marks(today=m.valid_until.replace(year=m.valid_until.year + 1)),
            "expired",
            "has expired",
        ),
    ],
)
def test_every_state_change_shows_at_once_on_page_json_and_badge(
    client, active_mark, admin_user, django_capture_on_commit_callbacks, change, status, words
):
    # Warm every cache first, so the test proves invalidation, not a cold read.
    assert _badge_json(client, active_mark.shop)["status"] == "valid"
    assert _api(client, active_mark.number).json()["status"] == "active"
    with django_capture_on_commit_callbacks(execute=True):
        change(active_mark, admin_user)
    page = client.get(reverse("verify_mark", args=[active_mark.number])).content.decode()
    assert "NOT VALID" in page
    assert words in page
    assert _api(client, active_mark.number).json()["status"] == status
    assert _badge_json(client, active_mark.shop)["status"] == "not_verified"
    svg = _badge(client, active_mark.shop).content.decode()
    assert "Nicht verifiziert" in svg
    assert "nordlicht.example" not in svg


def test_reinstating_brings_the_valid_badge_back(
    client, active_mark, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    assert _badge_json(client, active_mark.shop)["status"] == "not_verified"
    with django_capture_on_commit_callbacks(execute=True):
        reinstate_mark(mark=active_mark, actor=admin_user, note="paid")
    assert _badge_json(client, active_mark.shop)["status"] == "valid"


def test_unknown_and_malformed_numbers_get_the_fake_badge_warning(client, db):
    for number in ("TM-2026-999999", "not-a-number", "TM-2026-12", "%3Cscript%3E"):
        response = client.get(f"/verify/{number}/")
        assert response.status_code == 404
        assert "may be fake" in response.content.decode()
    api = _api(client, "TM-2026-999999")
    assert api.status_code == 404
    assert api.json()["field"] == "number"


def test_unknown_shop_gets_the_neutral_badge_not_an_error(client, db):
    for public_id in ("unknown-public-id-000", "x", "../../etc/passwd"):
        response = client.get(f"/badge/{public_id}.svg")
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert "Not verified" in response.content.decode()
    assert client.get("/badge/unknown-public-id-000.json").json()["status"] == "not_verified"


def test_a_shop_without_a_mark_is_not_verified(client, world):
    assert _badge_json(client, world.other_shop)["status"] == "not_verified"


def test_lookup_by_domain_normalises_and_redirects(client, active_mark):
    response = client.get("/verify/", {"domain": "HTTPS://Nordlicht.Example/cart"})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify_mark", args=[active_mark.number])
    assert client.get("/verify/", {"domain": "unknown.example"}).status_code == 404
    bad = client.get("/verify/", {"domain": "not a domain"})
    assert bad.status_code == 400
    assert client.get("/verify/").status_code == 200


def test_warm_badge_json_and_api_make_no_sql_query(client, active_mark, django_assert_num_queries):
    badge_url = reverse("badge_svg", args=[active_mark.shop.public_id])
    json_url = reverse("badge_json", args=[active_mark.shop.public_id])
    api_url = f"/api/v1/marks/{active_mark.number}"
    for url in (badge_url, json_url, api_url):
        client.get(url)
    for url in (badge_url, json_url, api_url):
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        client.get(badge_url, HTTP_REFERER="https://copycat.example/page")


def test_conditional_and_head_requests(client, active_mark):
    first = _badge(client, active_mark.shop)
    etag = first["ETag"]
    assert first["Cache-Control"].startswith("public, max-age=")
    again = _badge(client, active_mark.shop, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    stale = _badge(client, active_mark.shop, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200
    head = client.head(reverse("badge_svg", args=[active_mark.shop.public_id]))
    assert head.status_code == 200
    assert head.content == b""
    assert client.post(reverse("badge_svg", args=[active_mark.shop.public_id])).status_code == 405


def test_a_status_change_changes_the_etag(
    client, active_mark, admin_user, django_capture_on_commit_callbacks
):
    etag = _badge(client, active_mark.shop)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        suspend_mark(mark=active_mark, actor=admin_user, reason="other", note="check")
    assert _badge(client, active_mark.shop, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_badges_on_foreign_sites_are_counted_and_flushed(client, active_mark):
    shop = active_mark.shop
    misuse.drain()
    for referer in (
        "https://nordlicht.example/product/1",  # the shop itself
        "https://www.nordlicht.example/",  # its subdomain
        "",  # no referer
        "http://testserver/verify/",  # our own site
        "not a url at all",
        "https://copycat.example/about",
        "https://copycat.example/contact",
        "https://other-fake.example/",
    ):
        _badge(client, shop, HTTP_REFERER=referer)
    assert misuse.flush() == 2
    rows = {row.host: row.count for row in BadgeMisuse.objects.filter(shop=shop)}
    assert rows == {"copycat.example": 2, "other-fake.example": 1}
    _badge(client, shop, HTTP_REFERER="https://copycat.example/again")
    misuse.flush()
    assert BadgeMisuse.objects.get(shop=shop, host="copycat.example").count == 3
    assert misuse.flush() == 0


def test_badge_payload_is_built_once_then_served_from_cache(active_mark, django_assert_num_queries):
    badge_payload(active_mark.shop.public_id)
    with django_assert_num_queries(0):
        badge_payload(active_mark.shop.public_id)


def test_document_check_on_the_verification_page(client, active_mark):
    from certification.documents import store_verification_document

    first = store_verification_document(
        shop=active_mark.shop, pdf=b"%PDF-1.7 first", language="de", kind="findings"
    )
    url = reverse("verify_mark", args=[active_mark.number])
    page = client.get(url, {"doc": first.sha256}).content.decode()
    assert "is genuine" in page
    assert "newer" not in page
    store_verification_document(
        shop=active_mark.shop, pdf=b"%PDF-1.7 second", language="de", kind="decision"
    )
    page = client.get(url, {"doc": first.sha256}).content.decode()
    assert "A newer verification document exists" in page
    fake = client.get(url, {"doc": "0" * 64}).content.decode()
    assert "not genuine" in fake
    junk = client.get(url, {"doc": "<script>"})
    assert junk.status_code == 200
    assert "not genuine" in junk.content.decode()


def test_the_badge_speaks_the_shops_language(client, admin_user, db):
    from certification.marks import issue_mark
    from tests.factories import ShopFactory

    for language, words in (
        ("en", "Certified shop"),
        ("fr", "Boutique certifiée"),
        ("it", "Certified shop"),
    ):
        shop = ShopFactory(language=language)
        issue_mark(shop=shop, actor=admin_user)
        assert words in _badge(client, shop).content.decode()
