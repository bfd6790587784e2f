"""Portal and staff pages, graphs, the API: who sees what, and query counts that do not grow."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from quality.definitions import Key
from quality.measures import today
from quality.models import MarkReview
from quality.services import store_day
from tests.api.test_openapi import _schema, _validator
from tests.factories import ShopFactory
from tests.quality.helpers import GREEN, RED, YELLOW


@pytest.fixture
def history(world):
    day = today()
    for i in range(40, -1, -1):
        store_day(world.shop, day - timedelta(days=i), [GREEN if i > 10 else YELLOW])
    return day


def test_owner_sees_graphs_and_numbers_of_each_indicator(client, world, history):
    client.force_login(world.alice)
    page = client.get(reverse("quality:shop", args=[world.shop.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Claim rate" in html
    assert reverse("quality:chart", args=[world.shop.public_id, Key.CLAIM_RATE]) in html
    assert "Not enough data" in html  # the reviews of a shop without reviews
    assert "style=" not in html
    assert "<script>" not in html
    chart = client.get(reverse("quality:chart", args=[world.shop.public_id, Key.CLAIM_RATE]))
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.lstrip().startswith(b"<?xml")
    assert b"<script" not in chart.content
    assert b"http://www.w3.org/2000/svg" in chart.content


def test_an_employee_without_the_right_gets_404_and_with_the_audits_right_sees(
    client, world, history
):
    urls = [
        reverse("quality:shop", args=[world.shop.public_id]),
        reverse("quality:chart", args=[world.shop.public_id, Key.CLAIM_RATE]),
        f"/api/v1/shops/{world.shop.public_id}/indicators",
    ]
    client.force_login(world.bob)  # bob holds the cases right only
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    client.force_login(world.charlie)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.REVIEWS, world.shop.pk)},
    )
    client.force_login(world.bob)
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]
    assert client.get(reverse("quality:index")).content.decode().count(world.shop.name) == 1


def test_api_answers_as_the_openapi_schema_says(client, world, history):
    schema = _schema(client)
    path = "/api/v1/shops/{public_id}/indicators"
    assert path in schema["paths"]
    client.force_login(world.alice)
    body = client.get(f"/api/v1/shops/{world.shop.public_id}/indicators").json()
    _validator(schema, path, "200").validate(body)
    claim = next(i for i in body["indicators"] if i["key"] == "claim_rate")
    assert claim["zone"] == "yellow"
    assert len(claim["series"]) == 41
    client.logout()
    missing = client.get(f"/api/v1/shops/{world.shop.public_id}/indicators")
    assert missing.status_code == 404
    _validator(schema, path, "404").validate(missing.json())


def _fill(n: int) -> None:
    day = today()
    for i in range(n):
        shop = ShopFactory(target_market="FR" if i % 2 else "DE")
        store_day(shop, day, [RED if i % 3 else YELLOW])


def test_certifier_wide_view_query_count_does_not_grow_with_shops(
    client, auditor, django_assert_max_num_queries
):
    client.force_login(auditor)
    url = reverse("quality_staff:alerts")
    _fill(5)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    _fill(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="zone zone-') == 50


def test_staff_list_filters_by_market_and_indicator_and_exports_csv(client, auditor, world):
    _fill(4)
    client.force_login(auditor)
    url = reverse("quality_staff:alerts")
    page = client.get(url, {"market": "FR", "key": "claim_rate"})
    assert page.content.decode().count('class="zone zone-') == 2
    export = client.get(url, {"market": "DE", "export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith('"since"')
    assert len(lines) == 3


def test_members_cannot_open_staff_pages(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("quality_staff:alerts")).status_code == 404
    assert client.get(reverse("quality_staff:reviews")).status_code == 404


def test_administrator_decides_the_case_on_its_page(client, admin_user, world, active_mark):
    case = MarkReview.objects.create(shop=world.shop, red_since=today(), evidence=[])
    client.force_login(admin_user)
    assert world.shop.name in client.get(reverse("quality_staff:reviews")).content.decode()
    url = reverse("quality_staff:review", args=[case.pk])
    refused = client.post(url, {"decision": "suspend", "reason": ""})
    assert refused.status_code == 400
    done = client.post(url, {"decision": "suspend", "reason": "Red for weeks."})
    assert done.status_code == 302
    active_mark.refresh_from_db()
    assert active_mark.state == "suspended"


def test_auditor_sees_the_case_but_cannot_decide(client, auditor, world, active_mark):
    case = MarkReview.objects.create(shop=world.shop, red_since=today(), evidence=[])
    client.force_login(auditor)
    url = reverse("quality_staff:review", args=[case.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "dismiss", "reason": "x"}).status_code == 404


def _verify(client, mark):
    return client.get(reverse("verify_mark", args=[mark.number])).content.decode()


def test_verification_page_shows_published_facts_above_the_minimum_sample(
    client, world, active_mark, django_assert_num_queries
):
    from quality.measures import Measure

    day = today()
    store_day(world.shop, day, [Measure(Key.ANSWER_HOURS, 20, sample=12)])
    store_day(world.shop, day, [Measure(Key.CLAIMS_RESOLVED, 90, 80, 95, sample=30)])
    html = _verify(client, active_mark)
    assert "usually within a day" in html
    assert "90% of claims" in html
    with django_assert_num_queries(0):  # warm: the facts come from the cache
        _verify(client, active_mark)
    with override_settings(QUALITY_PUBLISH_ANSWER_TIME=False):
        from core.cache import forget
        from quality.notify import public_key

        forget(public_key(world.shop.public_id))
        assert "usually within a day" not in _verify(client, active_mark)


def test_verification_page_hides_facts_below_the_minimum_sample(client, world, active_mark):
    from quality.measures import Measure

    store_day(world.shop, today(), [Measure(Key.ANSWER_HOURS, 20, sample=2)])
    assert "What buyers experienced" not in _verify(client, active_mark)
