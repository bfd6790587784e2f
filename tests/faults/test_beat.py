"""One beat, many workers: a periodic task run twice at once acts once on each row.

Each task takes its rows with select_for_update(skip_locked=True) or a compare-and-set;
two threads, two connections, released together, must add up to one effect.
Covered elsewhere: reminders (tests/guarantees), report deadlines and invitations
(tests/reviews), claim deadlines (tests/disputes/test_deadlines.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audits import services as audits
from audits.models import Audit
from certification.marks import expire_due_marks
from certification.models import TrustMark
from guarantees.services import expire_due_guarantees, register_guarantee
from notifications.models import OutgoingMessage
from notifications.services import queue_email
from notifications.tasks import sweep_outbox
from tests.audits.conftest import decide_all
from tests.disputes.test_concurrency import race
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db(transaction=True)


def twice(task, **kwargs) -> list:
    results = race([lambda: task(**kwargs), lambda: task(**kwargs)])
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def test_two_sweepers_at_once_send_a_left_message_once():
    message = queue_email(
        to="dora@example.com",
        template="team_invitation",
        context={"member": "N", "inviter": "A", "name": "", "owner": False, "url": "u", "days": 7},
    )
    mail.outbox.clear()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status="pending", created_at=timezone.now() - timedelta(minutes=5)
    )
    twice(sweep_outbox)
    assert OutgoingMessage.objects.get(pk=message.pk).status == "sent"
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]


def test_two_lapse_runs_at_once_lapse_an_audit_once(in_review, auditor):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    audits.send_findings(audit=in_review, actor=auditor)
    later = timezone.now() + timedelta(days=31)
    assert sum(twice(audits.lapse_overdue_audits, now=later)) == 1
    assert Audit.objects.get(pk=in_review.pk).state == "lapsed"


def test_two_renewal_runs_at_once_open_one_renewal(in_review, auditor, auditor2, world):
    decide_all(in_review, auditor)
    mark = audits.approve(audit=in_review, actor=auditor2).mark
    due = mark.valid_until - timedelta(days=60)
    assert sum(twice(audits.open_renewal_audits, today=due)) == 1
    assert Audit.objects.filter(shop=world.shop, kind="renewal").count() == 1


def test_two_expiry_runs_at_once_expire_a_mark_and_a_guarantee_once(world, active_mark):
    guarantee = register_guarantee(shop=world.shop, purchase=purchase(), channel="api")
    after = guarantee.cover_until + timedelta(days=1)
    assert sum(twice(expire_due_guarantees, today=after)) == 1
    after = active_mark.valid_until + timedelta(days=1)
    assert sum(twice(expire_due_marks, today=after)) == 1
    assert TrustMark.objects.get(pk=active_mark.pk).state == "expired"
