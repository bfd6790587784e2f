"""The shop's claims and the mediation queue download as CSV and XLSX, as filtered on the page."""

import itertools

import pytest
from django.urls import reverse

from certification.marks import issue_mark
from disputes import services
from disputes.access import buyer_of
from guarantees.services import register_guarantee
from tests.export_helpers import export_queries, rows_of
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

CASES = reverse("disputes:list")
QUEUE = reverse("disputes:queue")
REFERENCES = itertools.count(1)


def _claims(shop, n, *, description="It never came."):
    claims = []
    for _ in range(n):
        guarantee = register_guarantee(
            shop=shop, purchase=purchase(order_reference=f"C-{next(REFERENCES)}"), channel="api"
        )
        claims.append(
            services.file_claim(
                actor=buyer_of(guarantee),
                guarantee=guarantee,
                reason="not_delivered",
                amount="60.00",
                description=description,
            )
        )
    return claims


@pytest.fixture
def marks(world, active_mark, admin_user):
    issue_mark(shop=world.other_shop, actor=admin_user)
    issue_mark(shop=world.charlie_shop, actor=admin_user)


def _numbers(rows):
    return [row[0] for row in rows[1:]]


def _page(client, url, params):
    return [c.number for c in client.get(url, params).context["page"].object_list]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_shops_export_has_the_pages_rows_and_no_other_shops(client, world, marks, fmt):
    mine = _claims(world.shop, 2)
    _claims(world.other_shop, 1)
    theirs = _claims(world.charlie_shop, 1)
    client.force_login(world.bob)  # the cases right on world.shop only
    for params in ({}, {"state": "awaiting_shop"}, {"state": "paid"}):
        rows = rows_of(client.get(CASES, {**params, "export": fmt}))
        assert rows[0][0] == "Claim"
        assert _numbers(rows) == _page(client, CASES, params)
    assert sorted(_numbers(rows_of(client.get(CASES, {"export": fmt})))) == sorted(
        c.number for c in mine
    )
    client.force_login(world.charlie)
    assert _numbers(rows_of(client.get(CASES, {"export": fmt}))) == [theirs[0].number]


def test_the_shops_export_has_raw_amounts_and_iso_deadlines(client, world, marks):
    (claim,) = _claims(world.shop, 1)
    client.force_login(world.alice)
    header, row = rows_of(client.get(CASES, {"export": "csv"}))
    cells = dict(zip(header, row, strict=True))
    assert (cells["Amount claimed"], cells["Currency"]) == ("60.00", "EUR")
    claim.refresh_from_db()
    assert cells["Answer by"][:10] == claim.shop_due_at.date().isoformat()
    assert "T" in cells["Answer by"]


def test_a_buyers_text_cannot_become_a_formula(client, world, marks, mediator):
    (claim,) = _claims(world.shop, 1)
    claim.guarantee.order_reference = '=HYPERLINK("http://evil.example","x")'
    claim.guarantee.save(update_fields=["order_reference"])
    client.force_login(world.alice)
    header, row = rows_of(client.get(CASES, {"export": "csv"}))
    assert dict(zip(header, row, strict=True))["Order"].startswith("'=HYPERLINK")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_mediation_export_follows_the_queue_filters(client, world, marks, mediator, fmt):
    _claims(world.shop, 2)
    _claims(world.charlie_shop, 1)
    client.force_login(mediator)
    for params in ({}, {"band": "small"}, {"band": "large"}, {"mine": "1"}, {"state": "paid"}):
        rows = rows_of(client.get(QUEUE, {**params, "export": fmt}))
        assert _numbers(rows) == _page(client, QUEUE, params)
    assert len(_numbers(rows_of(client.get(QUEUE, {"export": fmt})))) == 3


def test_shop_people_cannot_export_the_mediation_queue(client, world, marks):
    _claims(world.shop, 1)
    client.force_login(world.alice)
    assert client.get(QUEUE, {"export": "csv"}).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_cost_the_same_queries_for_1_or_12_claims(client, world, marks, mediator, fmt):
    _claims(world.shop, 1)
    client.force_login(world.alice)
    shop_few = export_queries(client, CASES, {"export": fmt})
    client.force_login(mediator)
    queue_few = export_queries(client, QUEUE, {"export": fmt})
    _claims(world.shop, 11)
    assert export_queries(client, QUEUE, {"export": fmt}) == queue_few
    client.force_login(world.alice)
    assert export_queries(client, CASES, {"export": fmt}) == shop_few
