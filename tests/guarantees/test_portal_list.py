"""The member portal lists its shops' guarantees, filtered, with totals, at a constant cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.marks import issue_mark
from tests.factories import UserFactory
from tests.guarantees.helpers import register_many

pytestmark = pytest.mark.django_db

URL = reverse("guarantee_portal:list")


def test_the_owner_sees_the_shops_guarantees_with_totals(client, world, certified):
    small = register_many(certified, 2, amount="40.00")
    big = register_many(certified, 1, amount="250.00", plan="plus")
    client.force_login(world.alice)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for guarantee in small + big:
        assert guarantee.number in page
    (eur,) = response.context["totals"]
    assert (eur["currency"], eur["count"], str(eur["amount"]), str(eur["cover"])) == (
        "EUR",
        3,
        "330.00",
        "330.00",
    )


def test_filters_narrow_the_list_and_the_totals(client, world, certified):
    basic = register_many(certified, 2)
    (plus,) = register_many(
        certified, 1, amount="900.00", plan="plus", buyer_email="zoe@example.net"
    )
    client.force_login(world.alice)
    by_plan = client.get(URL, {"plan": "plus"})
    assert [g.number for g in by_plan.context["page"].object_list] == [plus.number]
    assert by_plan.context["totals"][0]["count"] == 1
    by_search = client.get(URL, {"q": "zoe@"})
    assert [g.number for g in by_search.context["page"].object_list] == [plus.number]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert not client.get(URL, {"registered_from": tomorrow}).context["totals"]
    by_state = client.get(URL, {"state": "active"})
    assert by_state.context["totals"][0]["count"] == len(basic) + 1


def test_an_employee_sees_only_shops_with_the_cases_right(client, world, certified, admin_user):
    issue_mark(shop=world.other_shop, actor=admin_user)
    (on_shop,) = register_many(certified, 1)
    (elsewhere,) = register_many(world.other_shop, 1)
    client.force_login(world.bob)
    page = client.get(URL).content.decode()
    assert on_shop.number in page
    assert elsewhere.number not in page
    other = client.get(URL, {"shop": world.other_shop.pk})
    assert "shop" in other.context["form"].errors
    assert elsewhere.number not in other.content.decode()


def test_another_member_sees_none_and_a_person_without_shops_is_refused(client, world, certified):
    (guarantee,) = register_many(certified, 1)
    client.force_login(world.charlie)
    response = client.get(URL)
    assert response.status_code == 200
    assert guarantee.number not in response.content.decode()
    assert client.get(URL, {"shop": certified.pk}).context["totals"] == []
    client.force_login(UserFactory(email="nobody@example.com"))
    assert client.get(URL).status_code == 403


def test_the_query_count_does_not_grow_with_the_rows(client, world, certified):
    client.force_login(world.alice)
    register_many(certified, 2)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    register_many(certified, 30, amount="20.00", buyer_email="many@example.com")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 32
    assert len(many) == len(few)
