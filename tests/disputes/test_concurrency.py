"""Decisions and payouts happen once, however many staff press the button at the same moment.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from accounts.roles import Role
from core.errors import Conflict
from disputes import payouts, services
from disputes.access import CaseActor
from disputes.models import Claim, ClaimState, Party, Payout, PayoutState, RecourseEntry
from disputes.payouts import approve_payout, mark_paid
from guarantees.models import Guarantee
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released at once; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def outcome(results: list[Any]) -> tuple[list[Any], list[Any]]:
    """The successes, and the refusals; anything else (a 500) fails the test."""
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    unexpected = [r for r in losses if not isinstance(r, Conflict)]
    assert not unexpected, f"not refused cleanly: {unexpected!r}"
    return wins, losses


@pytest.fixture
def in_mediation(guarantee, buyer, shop_side):
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="3000.00",
        description="The parcel never came.",
    )
    claim = services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="No.")
    return services.reject_answer(actor=buyer, claim=claim, reason="Yes.")


@pytest.fixture
def third_staff(db):
    person = staff_user(Role.MEDIATOR, email="mediator3@trustmark.example")
    return CaseActor(user=person, party=Party.STAFF)


def test_two_mediators_deciding_at_once_make_one_decision_and_one_payout(
    in_mediation, staff, second_staff
):
    people = [staff, second_staff] * (THREADS // 2)
    amounts = [f"{2000 + i}.00" for i in range(THREADS)]
    events_before = in_mediation.events.count()
    results = race(
        [
            lambda who=who, amount=amount: services.decide_claim(
                actor=who,
                claim=Claim.objects.get(pk=in_mediation.pk),
                for_buyer=True,
                amount=amount,
                reason="Not delivered.",
            )
            for who, amount in zip(people, amounts, strict=True)
        ]
    )
    wins, losses = outcome(results)
    assert (len(wins), len(losses)) == (1, THREADS - 1)
    claim = Claim.objects.get(pk=in_mediation.pk)
    payout = Payout.objects.get()
    assert claim.state == ClaimState.DECIDED_FOR_BUYER
    assert claim.decision_amount == payout.amount == wins[0].decision_amount
    assert claim.decided_by_id == payout.proposed_by_id == wins[0].decided_by_id
    assert claim.events.count() == events_before + 1


def test_two_staff_approving_at_once_approve_once(in_mediation, staff, second_staff, third_staff):
    claim = services.decide_claim(
        actor=staff, claim=in_mediation, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    payout = claim.payout
    people = [second_staff, third_staff] * (THREADS // 2)
    results = race(
        [
            lambda who=who: approve_payout(actor=who, payout=Payout.objects.get(pk=payout.pk))
            for who in people
        ]
    )
    wins, losses = outcome(results)
    assert (len(wins), len(losses)) == (1, THREADS - 1)
    payout.refresh_from_db()
    assert payout.state == PayoutState.APPROVED
    assert payout.approved_by_id == wins[0].approved_by_id
    assert payout.approved_by_id in (second_staff.user.pk, third_staff.user.pk)
    assert payout.events.filter(state=PayoutState.APPROVED).count() == 1


def test_two_staff_paying_at_once_pay_once_and_record_one_debt(
    in_mediation, staff, second_staff, guarantee
):
    claim = services.decide_claim(
        actor=staff, claim=in_mediation, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    payout = approve_payout(actor=second_staff, payout=claim.payout)
    people = [staff, second_staff] * (THREADS // 2)
    results = race(
        [
            lambda i=i, who=who: mark_paid(
                actor=who, payout=Payout.objects.get(pk=payout.pk), reference=f"SEPA-{i}"
            )
            for i, who in enumerate(people)
        ]
    )
    wins, losses = outcome(results)
    assert (len(wins), len(losses)) == (1, THREADS - 1)
    payout.refresh_from_db()
    assert (payout.state, payout.payment_reference) == (
        PayoutState.PAID,
        wins[0].payment_reference,
    )
    debt = RecourseEntry.objects.get()
    assert (debt.payout_id, debt.amount) == (payout.pk, Decimal("2800.00"))
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.CLOSED
    assert Guarantee.objects.get(pk=guarantee.pk).state == "closed"
    assert claim.events.filter(state=ClaimState.CLOSED).count() == 1


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start `call` in a thread with its own connection; its result or exception is kept."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as exc:
            result.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_paying_does_not_undo_a_hand_over_made_meanwhile(
    in_mediation, staff, second_staff, third_staff, monkeypatch
):
    claim = services.decide_claim(
        actor=staff, claim=in_mediation, for_buyer=True, amount="2800.00", reason="Not delivered."
    )
    payout = approve_payout(actor=second_staff, payout=claim.payout)
    loaded, go_on = threading.Event(), threading.Event()
    real_acting = payouts.acting

    @contextmanager
    def pausing(actor, action, *args, **kwargs):
        if action == "payout_paid":  # the payout is locked and the claim read: wait here
            loaded.set()
            go_on.wait(timeout=20)
        with real_acting(actor, action, *args, **kwargs):
            yield

    monkeypatch.setattr(payouts, "acting", pausing)
    payment, paid = in_thread(lambda: mark_paid(actor=staff, payout=payout, reference="SEPA-1"))
    assert loaded.wait(timeout=20)
    hand_over, handed = in_thread(
        lambda: services.assign_case(
            actor=second_staff, claim=Claim.objects.get(pk=claim.pk), mediator=third_staff.user
        )
    )
    hand_over.join(timeout=3)  # done at once, unless the payment holds the claim's lock
    go_on.set()
    payment.join(timeout=30)
    hand_over.join(timeout=30)
    assert not isinstance(paid[0], Exception)
    claim.refresh_from_db()
    assert claim.state == ClaimState.CLOSED
    # Either the hand-over waited for the payment and was refused, or it is kept.
    if isinstance(handed[0], Exception):
        assert isinstance(handed[0], Conflict)
        assert claim.mediator_id == staff.user.pk
    else:
        assert claim.mediator_id == third_staff.user.pk
