"""Every event type arrives once, verified with `standardwebhooks`; and an event whose
worker was killed in the middle of its delivery still arrives, once by `webhook-id`.

Which path emits what: the mark events go through the real services here
(issue, suspend, reinstate, revoke; `mark.expired` through `expire_due_marks`) and `ping`
through `send_ping`. The audit, guarantee, claim and review events have long service flows;
they are emitted through their real services in test_webhook_events.py and
test_webhook_review_events.py, and here with `emit()` directly, so that the parametrized
test covers every type in EVENT_TYPES with the same receiver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from certification import integrations
from certification.marks import (
    expire_due_marks,
    issue_mark,
    reinstate_mark,
    revoke_mark,
    suspend_mark,
)
from config.celery import app as celery_app
from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.tasks import retry_due_webhooks
from notifications.webhooks import EVENT_TYPES, emit
from tests.worker import ROOT, WORKER, worker_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


def _verified(httpserver, secret: str) -> list[tuple[str, dict]]:
    out = []
    for request, _response in httpserver.log:
        headers = {k.lower(): v for k, v in request.headers.items()}
        body = Webhook(secret).verify(request.get_data(as_text=True), headers)
        out.append((headers["webhook-id"], body))
    return out


@pytest.mark.parametrize("event_type", [t for t in EVENT_TYPES if not t.startswith("mark.")])
def test_every_event_type_arrives_once_verified(
    world, httpserver, django_capture_on_commit_callbacks, event_type
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = integrations.add_endpoint(
        actor=world.alice,
        member=world.member,
        url=httpserver.url_for("/hook"),
        event_types=[event_type] if event_type != "ping" else ["claim.filed"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        if event_type == "ping":
            event = integrations.send_ping(actor=world.alice, endpoint=endpoint).event
        else:
            event = emit(event_type, world.member, {"example": event_type}, shop=world.shop)
    [(webhook_id, body)] = _verified(httpserver, endpoint.secret)
    assert (webhook_id, body["type"]) == (event.event_id, event_type)
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts) == ("delivered", 1)


def test_every_mark_event_arrives_once_from_its_service(
    world, admin_user, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = integrations.add_endpoint(
        actor=world.alice,
        member=world.member,
        url=httpserver.url_for("/hook"),
        event_types=[t for t in EVENT_TYPES if t.startswith("mark.")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        mark = issue_mark(shop=world.shop, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        mark = suspend_mark(mark=mark, actor=admin_user, reason="other", note="Checkout down")
    with django_capture_on_commit_callbacks(execute=True):
        mark = reinstate_mark(mark=mark, actor=admin_user, note="Fixed")
    with django_capture_on_commit_callbacks(execute=True):
        revoke_mark(mark=mark, actor=admin_user, reason="other")
    with django_capture_on_commit_callbacks(execute=True):
        other = issue_mark(shop=world.other_shop, actor=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        expire_due_marks(today=other.valid_until + timedelta(days=1))
    arrived = _verified(httpserver, endpoint.secret)
    assert [body["type"] for _id, body in arrived] == [
        "mark.issued",
        "mark.suspended",
        "mark.reinstated",
        "mark.revoked",
        "mark.issued",
        "mark.expired",
    ]
    assert len({webhook_id for webhook_id, _body in arrived}) == len(arrived)


# --- A worker killed during a delivery ----------------------------------------------------


def _start_worker(queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "TRUSTMARK_TESTING": "1",
        "WEBHOOKS_ALLOW_HTTP": "true",
        "WEBHOOKS_ALLOW_LOOPBACK": "true",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.worker
@pytest.mark.skipif(not django_settings.CELERY_BROKER_URL, reason="needs a broker")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_delivery_leaves_the_event_to_the_sweeper_once(world, httpserver):
    arrived, release = threading.Event(), threading.Event()
    seen: list[str] = []

    def receiver(request):
        seen.append(request.headers["webhook-id"])
        if len(seen) == 1:  # the first attempt: hold it while its worker is killed
            arrived.set()
            release.wait(timeout=30)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    endpoint = integrations.add_endpoint(
        actor=world.alice,
        member=world.member,
        url=httpserver.url_for("/hook"),
        event_types=["claim.filed"],
    )
    queue = f"trustmark-test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    first = _start_worker(queue)
    second = None
    try:
        event = emit("claim.filed", world.member, {"claim": {"number": "C-1"}}, shop=world.shop)
        assert arrived.wait(timeout=60), "the first worker never posted"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        release.set()
        delivery = WebhookDelivery.objects.get(event=event)
        # The killed attempt left nothing behind: its transaction died with the worker.
        deadline = time.monotonic() + 30
        while WebhookAttempt.objects.filter(delivery=delivery).exists():
            assert time.monotonic() < deadline
            time.sleep(0.2)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("pending", 0)

        second = _start_worker(queue)
        deadline = time.monotonic() + 60
        while True:
            assert retry_due_webhooks() <= 1  # the sweeper (beat runs it every minute)
            time.sleep(1.0)
            delivery.refresh_from_db()
            if delivery.state == WebhookDelivery.State.DELIVERED:
                break
            assert time.monotonic() < deadline, "the sweeper's retry never delivered"
    finally:
        release.set()
        celery_app.conf.task_default_queue = previous
        _stop(first)
        if second is not None:
            _stop(second)
    assert (delivery.attempts, delivery.last_status) == (1, 200)
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1
    arrivals = _verified(httpserver, endpoint.secret)
    assert {webhook_id for webhook_id, _body in arrivals} == {event.event_id}  # once by id
    assert set(seen) == {event.event_id}
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since is None
    assert timezone.now() - delivery.delivered_at < timedelta(minutes=2)
