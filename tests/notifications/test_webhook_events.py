"""Each family of services emits its webhook events in its own transaction, with the object
as the API shows it; every delivery here is verified with the `standardwebhooks` package."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from standardwebhooks.webhooks import Webhook

from audits import services as audits
from certification import integrations as endpoints
from certification.marks import issue_mark, suspend_mark
from disputes import services as disputes
from guarantees.api import as_json as guarantee_json
from guarantees.services import register_guarantee
from notifications.models import WebhookEvent
from notifications.webhooks import EVENT_TYPES, emit
from tests.audits.conftest import decide_all, in_review, requested  # noqa: F401 - fixtures
from tests.disputes.conftest import buyer, guarantee  # noqa: F401 - fixtures
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def receiver(world, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = endpoints.add_endpoint(
        actor=world.alice,
        member=world.member,
        url=httpserver.url_for("/hook"),
        event_types=[t for t in EVENT_TYPES if t != "ping"],
    )

    def received() -> list[dict]:
        bodies = []
        for request, _response in httpserver.log:
            headers = {k.lower(): v for k, v in request.headers.items()}
            bodies.append(Webhook(endpoint.secret).verify(request.get_data(as_text=True), headers))
        return bodies

    return received


def _types(received) -> list[str]:
    return [body["type"] for body in received()]


def test_marks_issued_and_suspended_arrive_with_the_public_mark(
    world, admin_user, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mark = issue_mark(shop=world.shop, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        suspend_mark(mark=mark, actor=admin_user, reason="other", note="Checkout broken")
    issued, suspended = receiver()
    assert (issued["type"], suspended["type"]) == ("mark.issued", "mark.suspended")
    assert suspended["data"]["mark"]["number"] == mark.number
    assert suspended["data"]["mark"]["status"] == "suspended"
    assert set(suspended["data"]["mark"]) == {
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


def test_audit_findings_and_refusal_arrive(
    world,
    in_review,  # noqa: F811 - the audits' fixture, imported above
    auditor,
    receiver,
    django_capture_on_commit_callbacks,
):
    code = in_review.findings.select_related("criterion").first().criterion.code
    decide_all(in_review, auditor, unmet=(code,))
    with django_capture_on_commit_callbacks(execute=True):
        audit = audits.send_findings(audit=in_review, actor=auditor)
    [body] = receiver()
    assert body["type"] == "audit.findings_sent"
    assert body["data"]["audit"]["id"] == audit.pk
    assert body["data"]["audit"]["state"] == audit.state
    assert [f["criterion"] for f in body["data"]["audit"]["not_met"]] == [code]
    assert body["data"]["audit"]["fix_due_at"]


def test_a_registered_guarantee_arrives_as_the_api_shows_it(
    world, active_mark, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guarantee = register_guarantee(shop=world.shop, purchase=purchase(), channel="api")
    [body] = receiver()
    assert body["type"] == "guarantee.registered"
    guarantee.refresh_from_db()
    assert body["data"] == {"guarantee": guarantee_json(guarantee)}


def test_a_claim_filed_then_withdrawn_arrives_filed_then_closed(
    world,
    guarantee,  # noqa: F811 - the disputes' fixtures, imported above
    buyer,  # noqa: F811
    receiver,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = disputes.file_claim(
            actor=buyer,
            guarantee=guarantee,
            reason="not_delivered",
            amount="3000.00",
            description="The parcel never came.",
            language="fr",
        )
    with django_capture_on_commit_callbacks(execute=True):
        disputes.withdraw_claim(actor=buyer, claim=claim, note="It came after all.")
    filed, closed = receiver()
    assert (filed["type"], closed["type"]) == ("claim.filed", "claim.closed")
    assert filed["data"]["claim"]["number"] == claim.number
    assert filed["data"]["claim"]["state"] == "awaiting_shop"
    assert filed["data"]["claim"]["guarantee_number"] == guarantee.number
    assert closed["data"]["claim"]["state"] == "withdrawn"


def test_emit_costs_no_statement_and_stores_nothing_for_a_member_without_endpoints(world):
    emit("claim.filed", world.member, {"claim": {}})  # warms the cached answer
    with CaptureQueriesContext(connection) as queries:
        assert emit("claim.filed", world.member, lambda: pytest.fail("built"), world.shop) is None
    assert len(queries) == 0
    assert not WebhookEvent.objects.exists()


def test_the_openapi_document_describes_every_event_type_and_its_payload(
    client, world, admin_user, receiver, django_capture_on_commit_callbacks
):
    from jsonschema import Draft202012Validator

    document = client.get("/api/schema/").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["webhooks"]) == set(EVENT_TYPES)
    with django_capture_on_commit_callbacks(execute=True):
        issue_mark(shop=world.shop, actor=admin_user)
    [body] = receiver()
    body_schema = document["webhooks"]["mark.issued"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    # The delivered body validates against the documented one, $refs resolved in the document.
    validator = Draft202012Validator({**body_schema, "components": document["components"]})
    assert list(validator.iter_errors(body)) == []
    other = {**body, "type": "mark.revoked"}
    assert list(validator.iter_errors(other))  # the type is pinned per entry
    for event_type, entry in document["webhooks"].items():
        headers = {p["name"] for p in entry["post"]["parameters"]}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}, event_type
