"""The registration email: written by the registration's INSERT, rendered by the sender."""

import re

import pytest
from django.core import mail

from notifications.models import OutgoingMessage
from notifications.tasks import send_outgoing_message
from tests.guarantees.helpers import api_order, post_registration


@pytest.mark.django_db
def test_the_registration_email_is_rendered_by_the_sender_in_the_buyers_language(
    client, api_key, certified
):
    certified.language = "de"
    certified.save(update_fields=["language"])
    response = post_registration(client, api_key, api_order(order_reference="ORD-DE-1"))
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    message = OutgoingMessage.objects.get(template="guarantee_registered")
    # Nothing rendered at the request: the number came from the INSERT, into the context.
    assert (message.subject, message.body_text) == ("", "")
    assert message.context["number"] == number
    assert send_outgoing_message(message.pk) == "sent"
    message.refresh_from_db()
    assert message.context is None
    assert message.subject == f"Ihr Kauf bei {certified.name} ist abgesichert: Garantie {number}"
    assert "59,90 EUR" in message.body_text  # the amount as German writes it
    assert "Abgesicherter Betrag" in message.body_text
    assert mail.outbox[-1].subject == message.subject
    link = re.search(r"http://\S+/protection/g/\S+/", message.body_text).group(0)
    page = client.get("/protection/" + link.split("/protection/", 1)[1])
    assert page.status_code == 200
    assert number in page.content.decode()
