"""One claim, from filing to payment, with the deadlines and every email run by a real worker.

The worker is a separate process on the configured broker (Redis in CI), reading the
same test database; the test polls the database, each wait bounded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from disputes import services
from disputes.models import Claim, ClaimState
from disputes.payouts import approve_payout, mark_paid
from disputes.tasks import run_deadlines
from notifications.models import OutgoingMessage

BUYER = "ines@example.org"
WAIT = 60  # seconds, for each thing the worker must do

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="needs a broker: set CELERY_BROKER_URL (CI uses the local Redis)",
    ),
]


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {WAIT} s")


def all_sent() -> bool:
    return not OutgoingMessage.objects.exclude(status=OutgoingMessage.Status.SENT).exists()


def recipients(first: int, last: int | None = None) -> list[str]:
    rows = OutgoingMessage.objects.filter(template="claim_changed", pk__gt=first)
    if last is not None:
        rows = rows.filter(pk__lte=last)
    return sorted(rows.values_list("to_email", flat=True))


def last_row() -> int:
    return OutgoingMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_claim_from_filing_through_escalation_to_payment_with_a_real_worker(
    worker, world, guarantee, buyer, staff, second_staff
):
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="2800.00",
        description="The parcel never came.",
    )
    wait_for("send the filing emails", all_sent)
    assert recipients(0) == sorted([BUYER, world.alice.email, world.bob.email])

    # The shop lets its deadline pass; the periodic task, run by the worker, escalates.
    Claim.objects.filter(pk=claim.pk).update(shop_due_at=timezone.now() - timedelta(minutes=1))
    before_escalation = last_row()
    run_deadlines.delay()
    wait_for(
        "escalate the case",
        lambda: Claim.objects.get(pk=claim.pk).state == ClaimState.IN_MEDIATION,
    )
    wait_for("send the escalation emails", all_sent)
    escalation = last_row()
    mediators = [staff.user.email, second_staff.user.email]
    assert recipients(before_escalation, escalation) == sorted(
        [BUYER, world.alice.email, world.bob.email, *mediators]
    )
    run_deadlines.delay()  # a second run: nothing to do (checked below: no email from it)
    claim = services.decide_claim(
        actor=staff, claim=claim, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    payout = approve_payout(actor=second_staff, payout=claim.payout)
    payout = mark_paid(actor=staff, payout=payout, reference="SEPA-2026-0042")
    wait_for("send the decision and payment emails", all_sent)

    claim.refresh_from_db()
    assert (claim.state, payout.state) == (ClaimState.CLOSED, "paid")
    # Escalated once: the second deadline run wrote nothing.
    assert claim.events.filter(pgh_context__metadata__action="claim_escalated").count() == 1
    decided_and_paid = [BUYER, world.alice.email, world.bob.email] * 2
    assert recipients(escalation) == sorted(decided_and_paid)
    assert set(OutgoingMessage.objects.values_list("attempts", flat=True)) == {1}
    sent = "".join(path.read_text() for path in worker.iterdir()).split("-" * 79)
    about_claim = [text for text in sent if claim.number in text]
    for address in {BUYER, world.alice.email, world.bob.email, *mediators}:
        assert any(f"To: {address}" in text for text in about_claim)
    to_buyer = [text for text in about_claim if f"To: {BUYER}" in text]
    assert len(to_buyer) == 4  # received, escalated, decided, paid
