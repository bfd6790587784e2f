"""The guarantee list downloads as CSV and XLSX: the page's filters and shops, nothing more."""

import pytest
from django.urls import reverse

from certification.marks import issue_mark
from tests.export_helpers import export_queries, rows_of
from tests.factories import UserFactory
from tests.guarantees.helpers import register_many

pytestmark = pytest.mark.django_db

URL = reverse("guarantee_portal:list")


def _page_numbers(client, params):
    return [g.number for g in client.get(URL, params).context["page"].object_list]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("params", [{}, {"plan": "plus"}, {"q": "zoe@"}, {"state": "expired"}])
def test_the_export_has_the_filtered_pages_rows(client, world, certified, fmt, params):
    register_many(certified, 2, amount="40.00")
    register_many(certified, 1, amount="900.00", plan="plus", buyer_email="zoe@example.net")
    client.force_login(world.alice)
    rows = rows_of(client.get(URL, {**params, "export": fmt}))
    assert rows[0][:2] == ["Guarantee", "Registered"]
    assert [row[0] for row in rows[1:]] == _page_numbers(client, params)


def test_the_export_has_raw_dates_and_amounts(client, world, certified):
    (guarantee,) = register_many(certified, 1, amount="1234.50", plan="plus")
    client.force_login(world.alice)
    header, row = rows_of(client.get(URL, {"export": "csv"}))
    cells = dict(zip(header, row, strict=True))
    assert cells["Order amount"] == "1234.50"
    assert cells["Covered until"] == guarantee.cover_until.isoformat()
    assert cells["Registered"].startswith(guarantee.created_at.date().isoformat()[:4])
    assert cells["Currency"] == "EUR"


def test_an_employee_exports_only_shops_with_the_cases_right(client, world, certified, admin_user):
    issue_mark(shop=world.other_shop, actor=admin_user)
    issue_mark(shop=world.charlie_shop, actor=admin_user)
    (on_shop,) = register_many(certified, 1)
    register_many(world.other_shop, 1)
    register_many(world.charlie_shop, 1)
    client.force_login(world.bob)
    for fmt in ("csv", "xlsx"):
        numbers = [row[0] for row in rows_of(client.get(URL, {"export": fmt}))[1:]]
        assert numbers == [on_shop.number]
        forced = client.get(URL, {"export": fmt, "shop": world.charlie_shop.pk})
        assert [row[0] for row in rows_of(forced)[1:]] == [on_shop.number]


def test_another_members_owner_exports_none_of_these_guarantees(client, world, certified):
    register_many(certified, 2)
    client.force_login(world.charlie)
    for fmt in ("csv", "xlsx"):
        assert len(rows_of(client.get(URL, {"export": fmt}))) == 1  # the header alone
        forced = client.get(URL, {"export": fmt, "shop": world.shop.pk})
        assert len(rows_of(forced)) == 1


def test_a_person_without_the_cases_right_gets_no_export(client, world, certified):
    register_many(certified, 1)
    outsider = UserFactory(email="nobody@example.org")
    client.force_login(outsider)
    assert client.get(URL, {"export": "csv"}).status_code == 403


def test_the_page_links_both_exports_with_its_filters(client, world, certified):
    register_many(certified, 1)
    client.force_login(world.alice)
    page = client.get(URL, {"plan": "basic", "page": "1"}).content.decode()
    assert "?plan=basic&amp;export=csv" in page
    assert "?plan=basic&amp;export=xlsx" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_costs_the_same_queries_for_1_or_30_rows(client, world, certified, fmt):
    client.force_login(world.alice)
    register_many(certified, 1)
    few = export_queries(client, URL, {"export": fmt})
    register_many(certified, 29)
    assert export_queries(client, URL, {"export": fmt}) == few
