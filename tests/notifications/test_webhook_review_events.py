"""Review events (review.published, review.reported, review.removed) emitted by the reviews
services in their own transaction, posted to a real HTTP server and verified with the
`standardwebhooks` package."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from certification import integrations as endpoints
from notifications.models import WebhookEvent
from reviews import moderation
from reviews.models import Decision, ReviewState
from tests.reviews.helpers import product, product_review, review
from tests.reviews.moderation_helpers import make_cast, report

pytestmark = pytest.mark.django_db

REVIEW_EVENTS = ["review.published", "review.reported", "review.removed"]


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def cast(world):
    return make_cast(world)


@pytest.fixture
def receiver(cast, world, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = endpoints.add_endpoint(
        actor=world.alice,
        member=world.member,
        url=httpserver.url_for("/hook"),
        event_types=REVIEW_EVENTS,
    )

    def received() -> list[dict]:
        bodies = []
        for request, _response in httpserver.log:
            headers = {k.lower(): v for k, v in request.headers.items()}
            bodies.append(Webhook(endpoint.secret).verify(request.get_data(as_text=True), headers))
        return bodies

    return received


def test_a_published_shop_review_arrives_as_the_public_api_shows_it(
    cast, receiver, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        written = review(cast.shop, service=4, delivery=5, comment="Quick and friendly.")
    [body] = receiver()
    assert body["type"] == "review.published"
    data = body["data"]["review"]
    assert data["id"] == written.pk
    assert data["shop_public_id"] == cast.shop.public_id
    assert (data["subject"], data["product_sku"], data["state"]) == ("shop", None, "published")
    assert (data["stars"], data["ratings"]) == (written.stars, {"service": 4, "delivery": 5})
    public = client.get(f"/api/v1/shops/{cast.shop.public_id}/reviews").json()["items"]
    [item] = [i for i in public if i["id"] == written.pk]
    for field in ("ratings", "comment", "language", "label", "reply"):
        assert data[field] == item[field], field


def test_a_product_review_names_the_product_sku(cast, receiver, django_capture_on_commit_callbacks):
    lamp = product(cast.shop, sku="LAMP-42")
    with django_capture_on_commit_callbacks(execute=True):
        product_review(cast.shop, lamp, stars=3, text="Warm light, fiddly to build.")
    [body] = receiver()
    data = body["data"]["review"]
    assert (data["subject"], data["product_sku"], data["ratings"]) == (
        "product",
        "LAMP-42",
        {"product": 3},
    )


def test_a_held_review_arrives_only_when_a_moderator_publishes_it(
    cast, receiver, django_capture_on_commit_callbacks
):
    email = f"someone@{cast.shop.domain}"
    with django_capture_on_commit_callbacks(execute=True):
        held = review(cast.shop, service=4, invitation={"email": email})
    assert held.state == ReviewState.HELD
    assert receiver() == []
    with django_capture_on_commit_callbacks(execute=True):
        moderation.publish_held(review=held, actor=cast.moderator)
    [body] = receiver()
    assert (body["type"], body["data"]["review"]["id"]) == ("review.published", held.pk)


def test_reported_then_removed_then_reinstated_on_contest(
    cast, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        one_star = review(cast.shop, service=1, comment="They kept my money.")
    with django_capture_on_commit_callbacks(execute=True):
        filed = report(one_star, cast.employee)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide(
            report=filed,
            actor=cast.moderator,
            decision=Decision.REMOVED,
            reason="No order found.",
            removal_note="Removed: no purchase could be found.",
        )
    moderation.contest(report=filed, party="author", text="I did buy there.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.decide_finally(
            report=filed,
            actor=cast.second_moderator,
            decision=Decision.STAYS,
            reason="The invoice is genuine.",
        )
    bodies = receiver()
    assert [b["type"] for b in bodies] == [
        "review.published",
        "review.reported",
        "review.removed",
        "review.published",
    ]
    reported, removed, reinstated = (b["data"]["review"] for b in bodies[1:])
    assert reported["state"] == "reported"
    assert (removed["state"], removed["comment"], removed["removal_reason"]) == (
        "removed",
        "",
        "false_fact",
    )
    assert (reinstated["state"], reinstated["comment"]) == ("published", "They kept my money.")


def test_a_partial_removal_arrives_with_the_text_still_shown(
    cast, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        written = review(cast.shop, service=2, comment="Slow. The manager Hans Muster is rude.")
        filed = report(written, cast.employee, reason="personal_data", text="A name.")
        moderation.decide(
            report=filed,
            actor=cast.moderator,
            decision=Decision.PARTLY_REMOVED,
            reason="A name is personal data.",
            redacted_comment="Slow. The manager is rude.",
        )
    removed = receiver()[-1]
    assert removed["type"] == "review.removed"
    assert removed["data"]["review"]["state"] == "partly_removed"
    assert removed["data"]["review"]["comment"] == "Slow. The manager is rude."


def test_a_decision_that_the_review_stays_sends_no_removal(
    cast, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        written = review(cast.shop, service=2, comment="Late.")
        filed = report(written, cast.employee)
        moderation.decide(
            report=filed, actor=cast.moderator, decision=Decision.STAYS, reason="An opinion."
        )
    assert [b["type"] for b in receiver()] == ["review.published", "review.reported"]


def test_a_failed_report_leaves_no_event(cast, receiver, django_capture_on_commit_callbacks):
    from core.errors import DomainError

    with django_capture_on_commit_callbacks(execute=True):
        written = review(cast.shop, service=2, comment="Late.")
    with pytest.raises(DomainError):
        report(written, cast.employee, text="")
    assert WebhookEvent.objects.filter(type="review.reported").count() == 0
    assert [b["type"] for b in receiver()] == ["review.published"]
