"""Fifty requests at once on the same row: exactly one effect, every other a clean refusal.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
Claims and payouts race in tests/disputes/test_concurrency.py (50 threads too).
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from audits import services as audits
from audits.models import Audit, AuditState
from certification.marks import issue_mark, reinstate_mark, suspend_mark
from certification.models import TrustMark
from guarantees.keys import create_api_key
from guarantees.models import Guarantee
from tests.audits.conftest import decide_all
from tests.disputes.test_concurrency import outcome, race
from tests.factories import ShopFactory, UserFactory, join, staff_user
from tests.guarantees.helpers import api_order, post_registration

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50


def test_fifty_auditors_approving_the_same_audit_approve_once():
    owner = UserFactory()
    shop = ShopFactory()
    join(shop.member, owner, "owner")
    reviewer = staff_user("auditor")
    approvers = [staff_user("auditor") for _ in range(5)]
    audit = audits.request_audit(shop=shop, actor=owner)
    audits.assign_audit(audit=audit, actor=reviewer, auditor=reviewer)
    audits.start_review(audit=audit, actor=reviewer)
    decide_all(audit, reviewer)
    results = race(
        [
            lambda who=approvers[i % 5]: audits.approve(
                audit=Audit.objects.get(pk=audit.pk), actor=who
            )
            for i in range(THREADS)
        ]
    )
    wins, losses = outcome(results)
    assert (len(wins), len(losses)) == (1, THREADS - 1)
    assert Audit.objects.get(pk=audit.pk).state == AuditState.APPROVED
    assert TrustMark.objects.filter(shop=shop).count() == 1


def test_fifty_administrators_suspend_once_then_reinstate_once():
    admins = [staff_user("administrator") for _ in range(5)]
    mark = issue_mark(shop=ShopFactory(), actor=admins[0])
    suspended = race(
        [
            lambda who=admins[i % 5]: suspend_mark(
                mark=TrustMark.objects.get(pk=mark.pk), actor=who, reason="unpaid_fees"
            )
            for i in range(THREADS)
        ]
    )
    assert [len(group) for group in outcome(suspended)] == [1, THREADS - 1]
    reinstated = race(
        [
            lambda who=admins[i % 5]: reinstate_mark(
                mark=TrustMark.objects.get(pk=mark.pk), actor=who, note="Fees paid."
            )
            for i in range(THREADS)
        ]
    )
    assert [len(group) for group in outcome(reinstated)] == [1, THREADS - 1]
    mark.refresh_from_db()
    assert mark.state == "active"


@pytest.fixture
def secret(world, admin_user):
    issue_mark(shop=world.shop, actor=admin_user)
    _key, value = create_api_key(shop=world.shop, actor=world.alice, name="race")
    return value


def post(secret: str, key: str) -> tuple[int, dict]:
    response = post_registration(Client(), secret, api_order(order_reference="ORD-RACE"), key=key)
    return response.status_code, response.json()


def test_fifty_registrations_of_the_same_order_register_one_guarantee(secret):
    answers = race([lambda: post(secret, str(uuid.uuid4())) for _ in range(THREADS)])
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * (THREADS - 1), answers
    assert Guarantee.objects.count() == 1


def test_the_same_idempotency_key_sent_twenty_times_at_once_has_one_effect(secret):
    answers = race([lambda: post(secret, "same-key") for _ in range(20)])
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert {status for status, _body in answers} <= {201, 409}, answers
    replayed = [body for status, body in answers if status == 201]
    assert replayed
    assert all(body == replayed[0] for body in replayed)
    assert Guarantee.objects.get().number == replayed[0]["number"]
