"""The auditors' queue downloads as CSV and XLSX, with the page's filters and rows."""

import pytest
from django.urls import reverse

from audits import services
from certification.models import Shop
from tests.export_helpers import export_queries, rows_of
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

URL = reverse("audits:queue")


def _audits(member, n, actor=None):
    shops = [ShopFactory(member=member) for _ in range(n)]
    return [services.request_audit(shop=shop, actor=actor) for shop in shops]


def _page(client, params):
    return [a.pk for a in client.get(URL, params).context["page"].object_list]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_has_the_filtered_queues_rows(client, world, auditor, in_review, fmt):
    _audits(world.charlie_member, 2)
    client.force_login(auditor)
    for params in ({}, {"mine": "1"}, {"state": "in_review"}, {"state": "approved"}):
        rows = rows_of(client.get(URL, {**params, "export": fmt}))
        assert rows[0][:3] == ["#", "Shop", "Member"]
        assert [int(row[0]) for row in rows[1:]] == _page(client, params)
    mine = rows_of(client.get(URL, {"mine": "1", "export": fmt}))
    assert [int(row[0]) for row in mine[1:]] == [in_review.pk]


def test_the_export_has_raw_counts_and_names(client, world, auditor, in_review):
    client.force_login(auditor)
    header, row = rows_of(client.get(URL, {"mine": "1", "export": "csv"}))
    cells = dict(zip(header, row, strict=True))
    assert cells["Member"] == world.member.legal_name
    assert cells["Not met"] == "0"
    assert int(cells["Unchecked"]) == in_review.findings.count()


def test_merchants_cannot_export_the_auditors_queue(client, world, requested):
    client.force_login(world.alice)
    assert client.get(URL, {"export": "csv"}).status_code == 404
    assert client.get(URL, {"export": "xlsx"}).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_costs_the_same_queries_for_1_or_10_audits(client, world, auditor, fmt):
    _audits(world.member, 1)
    client.force_login(auditor)
    few = export_queries(client, URL, {"export": fmt})
    _audits(world.charlie_member, 9)
    assert export_queries(client, URL, {"export": fmt}) == few
    assert Shop.objects.count() >= 10
