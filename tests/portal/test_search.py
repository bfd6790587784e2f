"""Staff search: one box finds members, shops, marks, audits, guarantees and cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.services import request_audit
from certification.models import MembershipPlan
from disputes.access import buyer_of
from disputes.services import file_claim
from guarantees.services import register_guarantee
from portal.search import LIMIT
from tests.factories import MemberFactory, ShopFactory
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

URL = reverse("portal:search")


@pytest.fixture
def guarantee(world, active_mark):
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    return register_guarantee(
        shop=world.shop,
        purchase=purchase(
            order_reference="ORD-77-XYZ",
            amount="300.00",
            plan="plus",
            buyer_email="ines@example.org",
        ),
        channel="api",
    )


@pytest.fixture
def claim(guarantee):
    return file_claim(
        actor=buyer_of(guarantee),
        guarantee=guarantee,
        reason="not_delivered",
        amount="300.00",
        description="The parcel never came.",
    )


@pytest.fixture
def audit(world):
    return request_audit(shop=world.other_shop, actor=world.alice)


def _search(client, user, q):
    client.force_login(user)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response


def _found(response) -> dict[str, list[str]]:
    return {group.kind: [hit.title for hit in group.hits] for group in response.context["groups"]}


def _urls(response, kind) -> list[str]:
    return next(
        [hit.url for hit in group.hits]
        for group in response.context["groups"]
        if group.kind == kind
    )


# each kind


def test_a_member_is_found_by_part_of_its_legal_name(client, world, admin_user):
    response = _search(client, admin_user, "nordlicht handels")
    assert _found(response)["members"] == ["Nordlicht Handels GmbH"]
    assert "Atelier" not in str(_found(response)["members"])
    assert reverse("portal:team", args=[world.member.pk]) in response.content.decode()


def test_a_member_is_found_by_a_team_members_email(client, world, admin_user):
    response = _search(client, admin_user, "BOB@nordlicht.example")
    assert _found(response)["members"] == ["Nordlicht Handels GmbH"]


def test_a_shop_is_found_by_part_of_its_domain_and_links_to_its_page(client, world, admin_user):
    response = _search(client, admin_user, "boutique")
    assert _found(response)["shops"] == ["nordlicht-boutique.example"]
    assert _urls(response, "shops") == [
        reverse("portal:shop_detail", args=[world.other_shop.public_id])
    ]


def test_a_shop_is_found_by_a_url_and_by_its_unicode_domain(client, admin_user):
    shop = ShopFactory(domain="xn--mller-kva.de")  # müller.de
    for query in ("müller.de", "MÜLLER", "https://Müller.de/cart", "xn--mller"):
        response = _search(client, admin_user, query)
        assert _urls(response, "shops") == [reverse("portal:shop_detail", args=[shop.public_id])], (
            query
        )
        assert _found(response)["shops"] == ["müller.de"]


def test_a_mark_is_found_by_its_exact_number(client, world, admin_user, active_mark):
    response = _search(client, admin_user, active_mark.number.lower())
    assert _found(response)["marks"] == [active_mark.number]
    assert _urls(response, "marks") == [reverse("portal:mark_detail", args=[active_mark.number])]


def test_an_audit_is_found_by_its_id(client, auditor, audit):
    response = _search(client, auditor, str(audit.pk))
    assert _urls(response, "audits") == [reverse("audits:workspace", args=[audit.pk])]
    assert _search(client, auditor, f"#{audit.pk}").context["groups"]


def test_a_guarantee_is_found_by_number_order_reference_and_buyer_email(
    client, mediator, guarantee
):
    expected = [reverse("guarantee_portal:list") + f"?q={guarantee.number}"]
    for query in (guarantee.number, "ord-77-xyz", "77-XY", "INES@example.org"):
        response = _search(client, mediator, query)
        assert _found(response)["guarantees"] == [guarantee.number], query
        assert _urls(response, "guarantees") == expected
    assert _found(_search(client, mediator, "ines@example"))["guarantees"] == []


def test_a_case_is_found_by_its_number_its_guarantee_and_the_buyers_email(
    client, mediator, guarantee, claim
):
    for query in (claim.number, guarantee.number, "ORD-77-XYZ", "ines@EXAMPLE.org"):
        response = _search(client, mediator, query)
        assert _found(response)["cases"] == [claim.number], query
        assert _urls(response, "cases") == [reverse("disputes:case", args=[claim.number])]


def test_the_result_links_open_for_the_staff_who_see_them(
    client, admin_user, world, active_mark, claim, audit
):
    for query in (active_mark.number, claim.number, str(audit.pk), "nordlicht"):
        response = _search(client, admin_user, query)
        for group in response.context["groups"]:
            for hit in group.hits:
                assert client.get(hit.url).status_code == 200, hit.url


# who may search, and what


def test_auditors_see_members_shops_marks_and_audits_only(client, auditor, world):
    groups = {g.kind for g in _search(client, auditor, "nordlicht").context["groups"]}
    assert groups == {"members", "shops", "marks", "audits"}


def test_mediators_see_shops_guarantees_and_cases_only(client, mediator, claim):
    response = _search(client, mediator, "nordlicht")
    assert {g.kind for g in response.context["groups"]} == {"shops", "guarantees", "cases"}


def test_a_mediator_does_not_find_a_mark_by_its_number(client, mediator, active_mark):
    response = _search(client, mediator, active_mark.number)
    assert "marks" not in _found(response)
    assert reverse("portal:mark_detail", args=[active_mark.number]) not in (
        response.content.decode()
    )


def test_administrators_see_every_kind(client, admin_user, world):
    groups = {g.kind for g in _search(client, admin_user, "nordlicht").context["groups"]}
    assert groups == {"members", "shops", "marks", "audits", "guarantees", "cases"}


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_the_search_does_not_exist_for_merchants(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL, {"q": "nordlicht"}).status_code == 404
    assert 'id="header-q"' not in client.get(reverse("portal:shop_list")).content.decode()


def test_is_staff_without_a_staff_role_cannot_search(client, db):
    from tests.factories import UserFactory, give_totp

    person = UserFactory(is_staff=True)
    give_totp(person)  # Django admin access needs the second factor too
    client.force_login(person)
    assert client.get(URL, {"q": "x"}).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.get(URL, {"q": "x"}).status_code == 302


def test_staff_have_the_search_box_in_the_header(client, auditor):
    client.force_login(auditor)
    html = client.get(reverse("portal:shop_list")).content.decode()
    assert 'id="header-q"' in html
    assert f'action="{URL}"' in html


# odd queries


def test_an_empty_query_shows_the_form_and_runs_no_search(client, admin_user, world):
    for query in ("", "   "):
        response = _search(client, admin_user, query)
        assert response.context["groups"] == []
        assert 'id="search-page-q"' in response.content.decode()
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "9" * 5_000,
        "a\x00b",
        "%_\\'\"<script>",
        "ü" * 300 + ".de",
        "https://" + "a" * 70 + ".de",
        "@",
        "#",
        ".",
    ],
)
def test_odd_or_very_long_queries_answer_without_error(client, admin_user, world, query):
    response = _search(client, admin_user, query)
    assert len(response.context["query"]) <= 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_short_queries_match_exact_numbers_only(client, admin_user, world):
    found = _found(_search(client, admin_user, "no"))
    assert all(titles == [] for titles in found.values())


def test_at_most_twenty_hits_per_kind_and_a_constant_query_count(client, admin_user, world):
    def count():
        client.force_login(admin_user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"q": "bulk"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    few, _response = count()
    for n in range(LIMIT + 5):
        member = MemberFactory(legal_name=f"Bulk Trading {n} GmbH")
        ShopFactory(member=member, domain=f"bulk-{n}.example")
    many, response = count()
    assert many == few
    groups = {g.kind: g for g in response.context["groups"]}
    assert len(groups["members"].hits) == LIMIT
    assert groups["members"].more
    assert len(groups["shops"].hits) == LIMIT
    assert "Only the first 20 are shown" in response.content.decode()
