"""A burst of API registrations, emailed by a real worker woken by notifications.wakeup."""

import time

import pytest
from django.conf import settings

from notifications.models import OutgoingMessage
from tests.guarantees.helpers import api_order, post_registration


@pytest.mark.worker
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs a broker (CI uses Redis)")
@pytest.mark.django_db(transaction=True)
def test_every_registration_of_a_burst_is_emailed_once_by_a_real_worker(client, api_key, worker):
    numbers = []
    for index in range(20):
        order = api_order(
            order_reference=f"BURST-{index}",
            amount="19.90",
            buyer_email=f"buyer{index}@example.com",
        )
        response = post_registration(client, api_key, order)
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])
    messages = OutgoingMessage.objects.filter(template="guarantee_registered")
    deadline = time.monotonic() + 60
    while messages.filter(status="sent").count() < 20 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert set(messages.values_list("status", "attempts")) == {("sent", 1)}
    sent = "".join(path.read_text() for path in worker.iterdir())  # a file may hold several
    assert sent.count("ist abgesichert: Garantie G-") == 20
    assert all(sent.count(f"Garantie {number}") == 1 for number in numbers)
