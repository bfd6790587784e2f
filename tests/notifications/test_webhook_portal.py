"""Webhook endpoints in the member portal: who may manage which, the pages, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from certification import integrations as services
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from core.errors import NotPermitted
from notifications.models import OutgoingMessage, WebhookDelivery, WebhookEndpoint
from notifications.tasks import deliver_webhook
from notifications.webhooks import emit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def bob_integrates(world):
    """bob holds the integrations right on alice's first shop only."""
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.INTEGRATIONS, world.shop.pk)},
    )
    return world


def _add(world, actor, shops=(), url="https://hooks.example/in", **kwargs):
    return services.add_endpoint(
        actor=actor,
        member=world.member,
        url=url,
        event_types=kwargs.pop("event_types", ["mark.suspended", "claim.filed"]),
        shops=shops,
        **kwargs,
    )


def test_the_owner_adds_a_member_wide_endpoint_and_history_names_her(world):
    endpoint = _add(world, world.alice, description="CRM")
    assert endpoint.secret.startswith("whsec_")
    event = endpoint.events.get()
    assert event.pgh_label == "created"
    assert event.pgh_context.metadata["user"] == world.alice.pk
    assert "secret" not in {f.name for f in type(event)._meta.fields}


def test_an_employee_adds_endpoints_only_for_shops_where_he_holds_the_right(bob_integrates):
    world = bob_integrates
    endpoint = _add(world, world.bob, shops=[world.shop])
    assert list(endpoint.shops.all()) == [world.shop]
    for shops in ([], [world.other_shop], [world.shop, world.other_shop]):
        with pytest.raises(NotPermitted):
            _add(world, world.bob, shops=shops)
    with pytest.raises(NotPermitted):
        _add(world, world.charlie)
    assert WebhookEndpoint.objects.count() == 1


def test_a_url_resolving_to_a_private_address_is_refused_at_once(world, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(services.DomainError) as refused:
        _add(world, world.alice, url="http://127.0.0.1:9/hook")
    assert refused.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


def _pages(endpoint, delivery=None):
    gets = [
        reverse("portal:integrations:endpoint", args=[endpoint.pk]),
        reverse("portal:integrations:edit", args=[endpoint.pk]),
    ]
    posts = [
        reverse(f"portal:integrations:{name}", args=[endpoint.pk])
        for name in ("ping", "rotate", "disable", "enable")
    ]
    if delivery is not None:
        posts.append(reverse("portal:integrations:resend", args=[endpoint.pk, delivery.pk]))
    return gets, posts


def test_owner_and_employee_with_the_right_open_the_pages_and_an_outsider_gets_404(
    bob_integrates, client, httpserver, django_capture_on_commit_callbacks
):
    world = bob_integrates
    httpserver.expect_request("/hook").respond_with_data("ok")
    on_shop = _add(world, world.alice, shops=[world.shop], url=httpserver.url_for("/hook"))
    member_wide = _add(world, world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(actor=world.alice, endpoint=on_shop)
    delivery = on_shop.deliveries.get()
    gets, posts = _pages(on_shop, delivery)
    for person in (world.alice, world.bob):
        client.force_login(person)
        for url in gets:
            assert client.get(url).status_code == 200, (person, url)
        for url in posts:
            assert client.post(url).status_code == 302, (person, url)
    client.force_login(world.charlie)
    for url in gets:
        assert client.get(url).status_code == 404
    for url in posts:
        assert client.post(url).status_code == 404
    assert client.post(reverse("portal:integrations:delete", args=[on_shop.pk])).status_code == 404
    # bob's right covers one shop: the member-wide endpoint is not his to see.
    client.force_login(world.bob)
    for url in _pages(member_wide)[0]:
        assert client.get(url).status_code == 404
    listing = client.get(reverse("portal:integrations:list")).content.decode()
    assert on_shop.url in listing
    assert member_wide.url not in listing


def test_the_navigation_shows_integrations_to_holders_of_the_right_only(
    bob_integrates, client, admin_user, mediator
):
    label = "Integrations"
    for person, shown in (
        (bob_integrates.alice, True),
        (bob_integrates.bob, True),
        (admin_user, True),
        (mediator, False),
    ):
        client.force_login(person)
        assert (label in client.get(reverse("portal:dashboard")).content.decode()) is shown


def test_adding_through_the_page_shows_the_secret_once(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("portal:integrations:add"),
        {
            "member": world.member.pk,
            "url": "https://hooks.example/in",
            "event_types": ["claim.filed", "mark.suspended"],
            "description": "Helpdesk",
            "shops": [world.shop.pk],
            "enabled": "on",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.description == "Helpdesk"
    assert list(endpoint.shops.all()) == [world.shop]
    assert endpoint.secret in response.content.decode()
    again = client.get(reverse("portal:integrations:endpoint", args=[endpoint.pk]))
    assert endpoint.secret not in again.content.decode()


def test_a_bad_url_on_the_page_is_a_form_error_and_nothing_is_stored(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("portal:integrations:add"),
        {"member": world.member.pk, "url": "ftp://hooks.example", "event_types": ["claim.filed"]},
    )
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_ping_arrives_verified_and_the_log_shows_it_and_resend_keeps_the_webhook_id(
    world, client, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("pong")
    endpoint = _add(world, world.alice, url=httpserver.url_for("/hook"))
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:integrations:ping", args=[endpoint.pk]))
    delivery = endpoint.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:integrations:resend", args=[endpoint.pk, delivery.pk]))
    first, second = (request for request, _response in httpserver.log)
    for request in (first, second):
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert Webhook(endpoint.secret).verify(request.get_data(as_text=True), headers)["type"] == (
            "ping"
        )
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    page = client.get(reverse("portal:integrations:endpoint", args=[endpoint.pk]))
    html = page.content.decode()
    assert "ping" in html
    assert "pong" in html
    assert delivery.log.count() == 2
    filtered = client.get(
        reverse("portal:integrations:endpoint", args=[endpoint.pk]), {"type": "claim.filed"}
    )
    assert "pong" not in filtered.content.decode()


def test_the_log_page_query_count_does_not_grow_with_deliveries(
    world, client, django_assert_max_num_queries, django_capture_on_commit_callbacks, settings
):
    endpoint = _add(world, world.alice, url="http://localhost:9/hook")
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # every attempt fails fast, refused
    client.force_login(world.alice)
    url = reverse("portal:integrations:endpoint", args=[endpoint.pk])

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(actor=world.alice, endpoint=endpoint)
    few = count_queries()
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_ping(actor=world.alice, endpoint=endpoint)
    assert count_queries() == few


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_people_emailed(
    bob_integrates, django_capture_on_commit_callbacks, settings
):
    world = bob_integrates
    endpoint = _add(world, world.alice, shops=[world.shop], url="http://localhost:9/hook")
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # the receiver is refused: every attempt fails
    with django_capture_on_commit_callbacks(execute=True):
        emit("claim.filed", world.member, {"claim": {"number": "C-1"}}, shop=world.shop)
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.failing_since is not None
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    delivery = endpoint.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        deliver_webhook(delivery.pk)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    told = set(
        OutgoingMessage.objects.filter(template="webhook_disabled").values_list(
            "to_email", flat=True
        )
    )
    assert told == {world.alice.email, world.bob.email}
    assert any(endpoint.url in m.body for m in mail.outbox)
    # Nothing more is emitted to it; enabling starts afresh.
    with django_capture_on_commit_callbacks(execute=True):
        emit("claim.filed", world.member, {"claim": {"number": "C-2"}}, shop=world.shop)
    assert endpoint.deliveries.count() == 1
    endpoint = services.set_enabled(actor=world.alice, endpoint=endpoint, enabled=True)
    assert (endpoint.enabled, endpoint.failing_since, endpoint.disabled_at) == (True, None, None)


def test_enabling_again_can_resend_what_it_missed(
    world, client, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = _add(world, world.alice, url=httpserver.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        emit("claim.filed", world.member, {"claim": {"number": "C-1"}})
    assert len(httpserver.log) == 1
    WebhookDelivery.objects.update(state="failed")
    services.set_enabled(actor=world.alice, endpoint=endpoint, enabled=False)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:integrations:enable", args=[endpoint.pk]), {"resend_missed": "1"}
        )
    assert len(httpserver.log) == 2
    assert endpoint.deliveries.get().state == "delivered"
