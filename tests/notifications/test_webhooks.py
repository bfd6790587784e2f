"""Webhooks, first step: endpoints, events in the caller's transaction, signed delivery
checked with the `standardwebhooks` package, retries, and the address guard."""

from __future__ import annotations

import base64
import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from core.errors import DomainError
from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from notifications.tasks import (
    WEBHOOK_RETRY_SCHEDULE,
    deliver_webhook,
    purge_webhook_attempts,
    retry_due_webhooks,
)
from notifications.webhooks import (
    create_endpoint,
    emit,
    event_body,
    rotate_secret,
    signature_headers,
)
from tests.factories import MemberFactory, ShopFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {"mark": {"public_id": "TM-123", "state": "active"}}


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def member():
    return MemberFactory()


def _endpoint(member, url, event_types=("mark.issued",), **kwargs) -> WebhookEndpoint:
    return create_endpoint(member=member, url=url, event_types=event_types, **kwargs)


def _emit(capture, member, event_type="mark.issued", shop=None) -> WebhookEvent:
    with capture(execute=True):
        return emit(event_type, member, PAYLOAD, shop=shop)


def _verified(request, secret: str) -> dict:
    headers = {k.lower(): v for k, v in request.headers.items()}
    return Webhook(secret).verify(request.get_data(as_text=True), headers)


def _make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_new_secret_is_whsec_and_32_random_bytes(member):
    endpoint = _endpoint(member, "https://hooks.example/in")
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32
    assert _endpoint(member, "https://hooks.example/in").secret != endpoint.secret


def test_an_event_is_delivered_once_signed_as_standard_webhooks_says(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("thanks")
    endpoint = _endpoint(member, httpserver.url_for("/hook"))

    event = _emit(django_capture_on_commit_callbacks, member)

    assert event.event_id.startswith("msg_")
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    [(request, _response)] = httpserver.log
    body = _verified(request, endpoint.secret)
    assert body["type"] == "mark.issued"
    assert body["data"] == PAYLOAD
    assert request.headers["webhook-id"] == event.event_id
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "thanks", "")
    assert deliver_webhook(delivery.pk) == "nothing to do"
    assert len(httpserver.log) == 1


def test_a_signature_made_with_another_secret_does_not_verify(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    _endpoint(member, httpserver.url_for("/hook"))
    other = _endpoint(member, "https://other.example/hook", event_types=["claim.filed"])
    _emit(django_capture_on_commit_callbacks, member)
    [(request, _response)] = httpserver.log
    with pytest.raises(WebhookVerificationError):
        _verified(request, other.secret)


def test_only_enabled_endpoints_subscribed_to_the_type_and_shop_get_a_delivery(
    member, django_capture_on_commit_callbacks
):
    shop, other_shop = ShopFactory(member=member), ShopFactory(member=member)
    everywhere = _endpoint(member, "https://a.example/h")
    only_shop = _endpoint(member, "https://b.example/h", shops=[shop])
    _endpoint(member, "https://c.example/h", shops=[other_shop])
    _endpoint(member, "https://d.example/h", event_types=["claim.filed"])
    disabled = _endpoint(member, "https://e.example/h")
    WebhookEndpoint.objects.filter(pk=disabled.pk).update(enabled=False)
    _endpoint(MemberFactory(), "https://f.example/h")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = emit("mark.issued", member, PAYLOAD, shop=shop)

    receivers = set(event.deliveries.values_list("endpoint_id", flat=True))
    assert receivers == {everywhere.pk, only_shop.pk}
    assert len(callbacks) == 2


def test_emit_in_a_rolled_back_transaction_stores_and_sends_nothing(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    _endpoint(member, httpserver.url_for("/hook"))

    def change_that_fails():
        with transaction.atomic():
            emit("mark.issued", member, PAYLOAD)
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()

    assert callbacks == []
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert httpserver.log == []


def test_after_a_rotation_the_old_secret_verifies_for_24_hours_only(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = _endpoint(member, httpserver.url_for("/hook"))
    old = endpoint.secret
    endpoint = rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old

    event = _emit(django_capture_on_commit_callbacks, member)
    [(request, _response)] = httpserver.log
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert _verified(request, endpoint.secret)["data"] == PAYLOAD
    assert _verified(request, old)["data"] == PAYLOAD

    body = event_body(event)
    for hours, old_verifies in ((23, True), (25, False)):
        with freeze_time(endpoint.rotated_at + timedelta(hours=hours)):
            headers = signature_headers(endpoint, event.event_id, body)
            assert Webhook(endpoint.secret).verify(body, headers)
            if old_verifies:
                assert Webhook(old).verify(body, headers)
            else:
                assert len(headers["webhook-signature"].split(" ")) == 1
                with pytest.raises(WebhookVerificationError):
                    Webhook(old).verify(body, headers)


def test_a_receiver_failing_three_times_gets_retries_on_schedule_then_the_event(
    member, httpserver, django_capture_on_commit_callbacks
):
    calls = []

    def flaky(request):
        calls.append(request)
        return Response("busy", status=503) if len(calls) <= 3 else Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(flaky)
    endpoint = _endpoint(member, httpserver.url_for("/hook"))

    event = _emit(django_capture_on_commit_callbacks, member)
    delivery = WebhookDelivery.objects.get(event=event)
    for failures in (1, 2, 3):
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == (
            "pending",
            failures,
            503,
        )
        last = WebhookAttempt.objects.filter(delivery=delivery).latest("at")
        wait = delivery.next_attempt_at - last.at
        base = WEBHOOK_RETRY_SCHEDULE[failures - 1]
        assert base <= wait <= base * 1.1 + timedelta(seconds=2)
        assert retry_due_webhooks() == 0  # not due yet
        _make_due(delivery)
        assert retry_due_webhooks() == 1

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 4, 200)
    assert len(calls) == 4
    assert [a.status_code for a in delivery.log.order_by("at")] == [503, 503, 503, 200]
    for request in calls:
        assert _verified(request, endpoint.secret)["data"] == PAYLOAD
        assert request.headers["webhook-id"] == event.event_id


def test_after_the_last_retry_the_delivery_has_failed(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    _endpoint(member, httpserver.url_for("/hook"))
    event = _emit(django_capture_on_commit_callbacks, member)
    delivery = WebhookDelivery.objects.get(event=event)
    for _ in WEBHOOK_RETRY_SCHEDULE:
        _make_due(delivery)
        retry_due_webhooks()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", len(WEBHOOK_RETRY_SCHEDULE) + 1)
    _make_due(delivery)
    assert retry_due_webhooks() == 0
    assert len(httpserver.log) == len(WEBHOOK_RETRY_SCHEDULE) + 1


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    httpserver.expect_request("/elsewhere").respond_with_data("should not be reached")
    _endpoint(member, httpserver.url_for("/hook"))
    event = _emit(django_capture_on_commit_callbacks, member)
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 302)
    assert [request.path for request, _ in httpserver.log] == ["/hook"]


def test_only_4_kb_of_the_answer_are_read_and_1_kb_kept(
    member, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("x" * 100_000)
    _endpoint(member, httpserver.url_for("/hook"))
    event = _emit(django_capture_on_commit_callbacks, member)
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.status_code == 200
    assert len(attempt.response_excerpt) == 1024


@pytest.mark.parametrize(
    ("url", "allow_loopback"),
    [
        ("loopback", False),
        ("http://10.0.0.1/hook", False),
        ("http://10.0.0.1/hook", True),
        ("http://169.254.169.254/latest/meta-data/", True),
        ("http://[::1]:9/hook", False),
        ("http://0.0.0.0:9/hook", True),
        ("http://224.0.0.1/hook", True),
        ("http://receiver.example/hook", False),
    ],
)
def test_non_public_addresses_are_refused_at_delivery(
    member,
    httpserver,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
    url,
    allow_loopback,
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    settings.WEBHOOKS_ALLOW_LOOPBACK = allow_loopback
    if url == "loopback":
        url = f"http://127.0.0.1:{httpserver.port}/hook"
    if "receiver.example" in url:
        # A public-looking name whose DNS answer points at this machine.
        real = socket.getaddrinfo

        def fake(host, *args, **kwargs):
            if host == "receiver.example":
                return real("127.0.0.1", httpserver.port, type=socket.SOCK_STREAM)
            return real(host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", fake)
        url = f"http://receiver.example:{httpserver.port}/hook"
    _endpoint(member, url)

    event = _emit(django_capture_on_commit_callbacks, member)

    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.status_code is None
    assert "not a public address" in attempt.error
    assert WebhookDelivery.objects.get(event=event).state == "pending"
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "http://hooks.example/in"}, "url"),
        ({"url": "ftp://hooks.example/in"}, "url"),
        ({"url": "https://user:pw@hooks.example/in"}, "url"),
        ({"url": "https:///nohost"}, "url"),
        ({"event_types": ["mark.issued", "mark.stolen"]}, "event_types"),
        ({"event_types": []}, "event_types"),
        ({"description": "x" * 201}, "description"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(member, settings, changes, field):
    settings.WEBHOOKS_ALLOW_HTTP = False
    arguments = {
        "member": member,
        "url": "https://hooks.example/in",
        "event_types": ["mark.issued"],
        **changes,
    }
    with pytest.raises(DomainError) as refused:
        create_endpoint(**arguments)
    assert refused.value.field == field
    assert not WebhookEndpoint.objects.exists()


def test_shops_of_another_member_are_refused(member):
    with pytest.raises(DomainError) as refused:
        _endpoint(member, "https://hooks.example/in", shops=[ShopFactory()])
    assert refused.value.field == "shops"
    assert not WebhookEndpoint.objects.exists()


def test_attempts_older_than_the_keep_days_are_purged(member, settings):
    settings.WEBHOOK_ATTEMPT_KEEP_DAYS = 30
    endpoint = _endpoint(member, "https://hooks.example/in")
    event = WebhookEvent.objects.create(event_id="msg_x", type="ping", member=member)
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
    now = timezone.now()
    WebhookAttempt.objects.create(delivery=delivery, at=now - timedelta(days=31), error="old")
    WebhookAttempt.objects.create(delivery=delivery, at=now - timedelta(days=29), error="new")
    assert purge_webhook_attempts() == 1
    assert list(WebhookAttempt.objects.values_list("error", flat=True)) == ["new"]


def test_the_connection_goes_to_the_checked_address_not_to_a_second_lookup(
    member, httpserver, monkeypatch, django_capture_on_commit_callbacks
):
    """DNS rebinding: the name answers loopback (allowed here) once, then 10.0.0.1."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    endpoint = _endpoint(member, f"http://rebind.example:{httpserver.port}/hook")

    event = _emit(django_capture_on_commit_callbacks, member)

    assert WebhookDelivery.objects.get(event=event).state == "delivered"
    assert lookups == ["rebind.example"]
    [(request, _response)] = httpserver.log
    assert request.headers["host"] == f"rebind.example:{httpserver.port}"
    assert _verified(request, endpoint.secret)["data"] == PAYLOAD


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver for `hooks.test` on loopback, its certificate trusted by the sender."""
    import datetime as dt
    import ssl

    import requests
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pytest_httpserver import HTTPServer

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    class TrustingSession(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self.verify = str(cert_file)

    monkeypatch.setattr(requests, "Session", TrustingSession)
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in ("hooks.test", "other-name.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    server = HTTPServer(host="127.0.0.1", ssl_context=context)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_https_goes_to_the_checked_address_and_still_checks_the_certificate_name(
    member, tls_receiver, django_capture_on_commit_callbacks
):
    tls_receiver.expect_request("/hook").respond_with_data("ok")
    good = _endpoint(member, f"https://hooks.test:{tls_receiver.port}/hook")
    other = _endpoint(member, f"https://other-name.test:{tls_receiver.port}/hook")

    event = _emit(django_capture_on_commit_callbacks, member)

    assert WebhookDelivery.objects.get(event=event, endpoint=good).state == "delivered"
    refused = WebhookAttempt.objects.get(delivery__event=event, delivery__endpoint=other)
    assert refused.status_code is None
    assert "SSLError" in refused.error
    [(request, _response)] = tls_receiver.log
    assert _verified(request, good.secret)["data"] == PAYLOAD
