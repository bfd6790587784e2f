"""Every list page, export and API list runs as many SQL statements for 20 rows as for 2.

The lists that already had such a test keep it where it is (audits, the guarantee list,
the mark, shop, team and search pages, the inbox's unread count, the webhook log page,
the review and quality pages, the review API); this module covers the others. Each
test warms the session with one request (the first request of a session reads what
later ones find cached), counts the statements of a request with 2 rows, adds 18 and
counts again, and checks that the 20 rows are really on the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import integrations
from disputes import services as claims
from disputes.access import CaseActor, buyer_of
from disputes.models import Claim, Party
from disputes.payouts import approve_payout, mark_paid
from guarantees.keys import create_api_key
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from quality.models import MarkReview
from tests.factories import ShopFactory, UserFactory
from tests.guarantees.helpers import register_many

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


def statements(client, url: str, params: dict | None = None, **headers: str) -> tuple[int, str]:
    """The statements one GET runs (a streamed body read to its end) and the body."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {}, **headers)
        assert response.status_code == 200, url
        raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8-sig", errors="replace")  # an XLSX file is zip bytes
    return len(captured.captured_queries), body


def same_for_2_and_20(
    client, url: str, add_rows: Callable[[int], object], params: dict | None = None, **headers
) -> str:
    """Assert the statement count is the same with 2 rows and with 20; the body at 20."""
    add_rows(2)
    client.get(url, params or {}, **headers)
    few, _body = statements(client, url, params, **headers)
    add_rows(18)
    many, body = statements(client, url, params, **headers)
    assert many == few, f"{url}: {few} statements for 2 rows, {many} for 20"
    return body


def file_claims(shop) -> Callable[[int], list[Claim]]:
    def add(n: int) -> list[Claim]:
        return [
            claims.file_claim(
                actor=buyer_of(guarantee),
                guarantee=guarantee,
                reason="not_delivered",
                amount="20.00",
                description="The parcel never came.",
            )
            for guarantee in register_many(shop, n)
        ]

    return add


@pytest.mark.parametrize("params", [{}, {"state": "awaiting_shop"}, {"export": "csv"}])
def test_the_mediation_queue(client, world, active_mark, mediator, params):
    client.force_login(mediator)
    body = same_for_2_and_20(client, reverse("disputes:queue"), file_claims(world.shop), params)
    numbers = Claim.objects.values_list("number", flat=True)
    assert all(number in body for number in numbers)
    assert len(numbers) == 20


@pytest.mark.parametrize("params", [{}, {"export": "csv"}])
def test_the_shop_case_list(client, world, active_mark, params):
    client.force_login(world.alice)
    body = same_for_2_and_20(client, reverse("disputes:list"), file_claims(world.shop), params)
    assert all(number in body for number in Claim.objects.values_list("number", flat=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_member_guarantee_export(client, world, active_mark, fmt):
    client.force_login(world.alice)
    url = reverse("guarantee_portal:list")
    add = lambda n: register_many(world.shop, n)  # noqa: E731
    add(2)
    client.get(url, {"export": fmt})
    few, _body = statements(client, url, {"export": fmt})
    add(18)
    many, body = statements(client, url, {"export": fmt})
    assert many == few
    if fmt == "csv":
        assert len(body.strip().splitlines()) == 1 + 20


def test_my_guarantees(client, world, active_mark):
    buyer = UserFactory(email="ines@example.org")
    client.force_login(buyer)
    add = lambda n: register_many(world.shop, n, buyer_email="ines@example.org")  # noqa: E731
    body = same_for_2_and_20(client, reverse("guarantees:mine"), add)
    numbers = Guarantee.objects.values_list("number", flat=True)
    assert len(numbers) == 20
    assert all(number in body for number in numbers)


def test_the_inbox(client, world):
    client.force_login(world.alice)

    def add(n: int) -> None:
        for i in range(n):
            OutgoingMessage.objects.create(
                template="claim_filed",
                recipient=world.alice,
                to_email=world.alice.email,
                subject=f"Claim number {OutgoingMessage.objects.count() + i}",
                body_text="A buyer filed a claim.",
            )

    body = same_for_2_and_20(client, reverse("inbox:list"), add)
    assert body.count("Claim number") == 20


def test_the_integrations_list(client, world):
    client.force_login(world.alice)

    def add(n: int) -> None:
        for i in range(n):
            integrations.add_endpoint(
                actor=world.alice,
                member=world.member,
                url=f"https://hooks.example/in/{i}",
                event_types=["claim.filed"],
                description=f"receiver {i}",
            )

    body = same_for_2_and_20(client, reverse("portal:integrations:list"), add)
    assert body.count("hooks.example") >= 20


def test_the_webhook_endpoints_api_list(client, world):
    key = create_api_key(shop=world.shop, actor=world.alice, name="erp")[1]

    def add(n: int) -> None:
        for i in range(n):
            integrations.add_endpoint(
                actor=world.alice,
                member=world.member,
                url=f"https://hooks.example/{i}",
                event_types=["claim.filed"],
                shops=[world.shop],
            )

    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = same_for_2_and_20(client, "/api/v1/webhook-endpoints", add, **auth)
    assert len(json.loads(body)) == 20


def test_the_webhook_attempts_api_list(client, world, settings, django_capture_on_commit_callbacks):
    key = create_api_key(shop=world.shop, actor=world.alice, name="erp")[1]
    endpoint = integrations.add_endpoint(
        actor=world.alice,
        member=world.member,
        url="http://localhost:9/hook",
        event_types=["claim.filed"],
        shops=[world.shop],
    )
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # every attempt is refused at once: a failed row

    def add(n: int) -> None:
        for _ in range(n):
            with django_capture_on_commit_callbacks(execute=True):
                integrations.send_ping(actor=world.alice, endpoint=endpoint)

    url = f"/api/v1/webhook-endpoints/{endpoint.pk}/attempts"
    body = same_for_2_and_20(client, url, add, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert len(json.loads(body)) == 20


def more_shops(world) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            ShopFactory(member=world.member)

    return add


@pytest.mark.parametrize("name", ["review_portal:alerts", "review_portal:shops", "quality:index"])
def test_the_pages_listing_a_members_shops(client, world, name):
    client.force_login(world.alice)
    same_for_2_and_20(client, reverse(name), more_shops(world))


def test_the_mark_review_queue(client, admin_user):
    client.force_login(admin_user)

    def add(n: int) -> None:
        for _ in range(n):
            MarkReview.objects.create(shop=ShopFactory(), red_since=date(2026, 1, 5))

    body = same_for_2_and_20(client, reverse("quality_staff:reviews"), add)
    assert all(review.shop.name in body for review in MarkReview.objects.select_related("shop"))


def test_the_recourse_page(client, world, active_mark, mediator, admin_user):
    """Each paid claim leaves the shop owing its amount: one recourse entry each."""
    staff = CaseActor(user=mediator, party=Party.STAFF)
    shop_side = CaseActor(user=world.alice, party=Party.SHOP)

    def add(n: int) -> None:
        for claim in file_claims(world.shop)(n):
            claim = claims.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
            buyer = buyer_of(claim.guarantee)
            claim = claims.reject_answer(actor=buyer, claim=claim, reason="It never came.")
            claim = claims.decide_claim(actor=staff, claim=claim, for_buyer=True, reason="Proven.")
            payout = approve_payout(actor=staff, payout=claim.payout)
            mark_paid(actor=staff, payout=payout, reference=f"SEPA-{claim.pk}")

    client.force_login(admin_user)
    body = same_for_2_and_20(client, reverse("disputes:recourse"), add)
    numbers = Claim.objects.filter(state="closed").values_list("number", flat=True)
    assert len(numbers) == 20
    assert all(number in body for number in numbers)
