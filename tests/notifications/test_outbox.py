from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from certification.models import Member
from notifications.models import OutgoingMessage
from notifications.services import queue_email
from notifications.tasks import send_outgoing_message, sweep_outbox
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "member": "Nordlicht",
    "inviter": "Alice",
    "name": "",
    "owner": False,
    "url": "https://x.example/i/abc/",
    "days": 7,
}


def test_an_email_is_a_row_first_and_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue_email(to="dora@example.com", template="team_invitation", context=CONTEXT)
        assert OutgoingMessage.objects.get(pk=message.pk).status == "pending"
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(mail.outbox) == 1


def test_a_message_sent_twice_is_delivered_once():
    message = queue_email(to="dora@example.com", template="team_invitation", context=CONTEXT)
    assert send_outgoing_message(message.pk) == "sent"
    assert send_outgoing_message(message.pk) == "nothing to do"
    assert len(mail.outbox) == 1


def test_emails_are_written_in_the_recipients_language():
    message = queue_email(
        to="a@example.com", template="team_invitation", context=CONTEXT, language="de"
    )
    assert "Nordlicht" in message.subject
    assert (
        message.subject
        != queue_email(
            to="b@example.com", template="team_invitation", context=CONTEXT, language="en"
        ).subject
    )


def test_the_sweeper_sends_what_a_lost_enqueue_left_behind():
    message = queue_email(to="dora@example.com", template="team_invitation", context=CONTEXT)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert sweep_outbox() == 1
    message.refresh_from_db()
    assert message.status == "sent"
    assert sweep_outbox() == 0
    assert len(mail.outbox) == 1


def test_a_failing_send_is_retried_later(monkeypatch):
    from django.core.mail import EmailMessage

    message = queue_email(to="dora@example.com", template="team_invitation", context=CONTEXT)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    assert send_outgoing_message(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()


def test_history_events_cannot_be_changed_or_deleted():
    member = MemberFactory()
    Member.objects.filter(pk=member.pk).update(city="Hamburg")  # a bulk update is recorded too
    events = Member.pgh_event_model.objects.filter(pgh_obj=member)
    assert events.count() == 2
    table = Member.pgh_event_model._meta.db_table
    for statement in (f"UPDATE {table} SET city = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert events.count() == 2
