"""A receiver that hangs: the attempt ends at the read timeout, the worker is free again
and the event is kept for its retry (a shorter timeout here keeps the test quick)."""

from __future__ import annotations

import threading

import pytest
from werkzeug import Response

from notifications import webhooks
from notifications.models import WebhookAttempt, WebhookDelivery
from notifications.webhooks import create_endpoint, emit

pytestmark = pytest.mark.django_db


def test_a_hanging_receiver_costs_the_read_timeout_and_the_event_is_kept(
    world, httpserver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    monkeypatch.setattr(webhooks, "READ_TIMEOUT", 0.5)
    done = threading.Event()

    def hang(_request):
        done.wait(timeout=3)  # far longer than the read timeout
        return Response("too late")

    httpserver.expect_request("/hook").respond_with_handler(hang)
    create_endpoint(
        member=world.member, url=httpserver.url_for("/hook"), event_types=["claim.filed"]
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            event = emit("claim.filed", world.member, {"claim": {"number": "C-1"}})
    finally:
        done.set()
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.status_code is None
    assert "Timeout" in attempt.error
    assert attempt.duration_ms < 2000
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > attempt.at
