"""Invitations sent exactly once: by a real Celery worker, and by 20 senders at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import OutgoingMessage
from reviews import invitation_sending, invitations
from reviews.invitations import invite
from reviews.models import Invitation, InvitationState
from reviews.tasks import send_due_invitations
from tests.reviews.helpers import reviews_on

WAIT = 60


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {WAIT} s")


def ordered(shop, reference, days_ago, email):
    return invite(
        shop=shop,
        order_reference=reference,
        email=email,
        name="Inès Dupont",
        language="fr",
        order_date=timezone.localdate() - timedelta(days=days_ago),
        source="api",
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker (CELERY_BROKER_URL)")
def test_a_real_worker_sends_due_invitations_once_after_the_delay_and_never_to_the_unsubscribed(
    worker, world
):
    reviews_on(world.shop, invite_delay_days=7)
    due = ordered(world.shop, "A-1", 10, "ines@example.org")
    early = ordered(world.shop, "A-2", 1, "bruno@example.org")
    leaving = ordered(world.shop, "A-3", 10, "carla@example.org")
    invitations.unsubscribe(
        invitation=ordered(world.shop, "A-0", 30, "carla@example.org"), every_shop=False
    )

    send_due_invitations.delay()
    wait_for(
        "send the due invitation",
        lambda: (
            OutgoingMessage.objects.filter(
                template="review_invitation", status=OutgoingMessage.Status.SENT
            ).exists()
            and not Invitation.objects.filter(pk=leaving.pk, state="scheduled").exists()
        ),
    )
    send_due_invitations.delay()  # a second run (or beat firing twice) sends nothing more
    send_due_invitations.delay()
    wait_for(
        "record the delivery",
        lambda: Invitation.objects.filter(pk=due.pk, delivered_at__isnull=False).exists(),
    )
    messages = OutgoingMessage.objects.filter(template="review_invitation")
    assert list(messages.values_list("to_email", flat=True)) == ["ines@example.org"]
    assert Invitation.objects.get(pk=due.pk).state == InvitationState.SENT
    assert Invitation.objects.get(pk=early.pk).state == InvitationState.SCHEDULED
    assert Invitation.objects.get(pk=leaving.pk).state == InvitationState.CANCELLED
    files = [p for p in worker.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert "ines@example.org" in files[0].read_text()


@pytest.mark.django_db(transaction=True)
def test_twenty_senders_at_once_send_each_invitation_once(world):
    reviews_on(world.shop)
    count = 60
    for n in range(count):
        ordered(world.shop, f"A-{n}", 10, f"buyer{n}@example.org")
    invitation_sending.BATCH, batch = 7, invitation_sending.BATCH  # many small transactions
    sent: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def run() -> None:
        try:
            start.wait()
            sent.append(invitation_sending.send_due()["sent"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=run) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        invitation_sending.BATCH = batch
    assert errors == []
    assert sum(sent) == count
    assert OutgoingMessage.objects.filter(template="review_invitation").count() == count
    assert Invitation.objects.filter(state=InvitationState.SENT).count() == count
