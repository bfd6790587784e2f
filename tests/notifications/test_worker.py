"""End to end through a real Celery worker on the configured broker (Redis in CI)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from certification.access import Right
from certification.models import Area
from certification.team import invite_person
from notifications.models import OutgoingMessage

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="needs a broker: set CELERY_BROKER_URL (CI uses the local Redis)",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_is_sent_by_a_real_worker_after_commit(world, worker):
    invitation = invite_person(
        actor=world.alice,
        member=world.member,
        email="dora@nordlicht.example",
        rights=[Right(Area.CASES, world.shop.pk)],
    )
    message = OutgoingMessage.objects.get(to_email="dora@nordlicht.example")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == OutgoingMessage.Status.SENT:
            break
        time.sleep(0.3)
    assert message.status == OutgoingMessage.Status.SENT
    assert message.attempts == 1
    sent = "".join(path.read_text() for path in worker.iterdir())
    assert "To: dora@nordlicht.example" in sent
    assert str(invitation.member.legal_name) in sent
