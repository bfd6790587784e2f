"""Deadlines on cases, moved on by the periodic task: each at its moment, each exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict
from disputes import services
from disputes.access import CaseActor
from disputes.deadlines import run_all
from disputes.models import Claim, ClaimState
from disputes.tasks import run_deadlines
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage

pytestmark = pytest.mark.django_db

NOTHING = {"reminded": 0, "escalated": 0, "information_overdue": 0, "age_warned": 0, "flagged": 0}
BUYER = "ines@example.org"


def only(**counts: int) -> dict[str, int]:
    return {**NOTHING, **counts}


def emails_since(mark: int) -> list[str]:
    """Recipients of the case emails queued after outbox row `mark`, sorted."""
    rows = OutgoingMessage.objects.filter(template="claim_changed", pk__gt=mark)
    return sorted(rows.values_list("to_email", flat=True))


def last_email() -> int:
    return OutgoingMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def twice(now=None) -> dict[str, int]:
    """Run every deadline step twice; the second run must find nothing to do."""
    first = run_all(now)
    assert run_all(now) == NOTHING
    return first


@pytest.fixture
def frozen():
    with freeze_time(timezone.now().replace(microsecond=0), ignore=["_pytest"]) as clock:
        yield clock


@pytest.fixture
def claim(guarantee, buyer, world, mediator, frozen):
    """Filed at a frozen moment; the clock starts only after the slow fixtures are built."""
    return services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="120.00",
        description="The parcel never came.",
    )


def test_the_shop_is_reminded_two_days_before_its_deadline_once(claim, frozen, world, settings):
    due = claim.shop_due_at
    assert settings.CLAIM_SHOP_REMINDER_DAYS == 2
    mark = last_email()
    frozen.move_to(due - timedelta(days=2, seconds=1))
    assert twice() == NOTHING
    frozen.move_to(due - timedelta(days=2))
    assert twice() == only(reminded=1)
    assert emails_since(mark) == sorted([world.alice.email, world.bob.email])
    claim.refresh_from_db()
    assert (claim.state, claim.shop_reminded_at) == (ClaimState.AWAITING_SHOP, timezone.now())
    frozen.move_to(due - timedelta(days=1))
    assert twice() == NOTHING
    assert len(emails_since(mark)) == 2


def test_an_unanswered_claim_goes_to_mediation_at_its_deadline(
    claim, frozen, world, mediator, second_staff
):
    frozen.move_to(claim.shop_due_at - timedelta(seconds=1))
    twice()
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.AWAITING_SHOP
    mark = last_email()
    frozen.move_to(claim.shop_due_at)
    assert run_deadlines.delay().get() == only(escalated=1)
    assert run_deadlines.delay().get() == NOTHING
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_MEDIATION
    assert claim.escalated_at == timezone.now()
    everyone = [BUYER, world.alice.email, world.bob.email, mediator.email, second_staff.user.email]
    assert emails_since(mark) == sorted(everyone)
    assert claim.events.filter(pgh_context__metadata__action="claim_escalated").count() == 1
    with pytest.raises(Conflict, match="only while the case waits"):
        services.answer_claim(
            actor=CaseActor(user=world.alice, party="shop"),
            claim=claim,
            answer="disputed",
            text="Too late?",
        )


def test_an_answered_claim_is_not_escalated(claim, frozen, shop_side):
    services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="Delivered.")
    frozen.move_to(claim.shop_due_at + timedelta(days=1))
    assert twice() == NOTHING
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.SHOP_ANSWERED


def test_when_the_information_is_late_the_case_returns_to_mediation(
    claim, frozen, buyer, shop_side, staff, second_staff
):
    services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="Delivered.")
    services.reject_answer(actor=buyer, claim=claim, reason="It was not.")
    claim = services.request_information(
        actor=staff, claim=claim, party="buyer", question="Photo of the mailbox?", days=3
    )
    assert claim.info_due_at == timezone.now() + timedelta(days=3)
    frozen.move_to(claim.info_due_at - timedelta(seconds=1))
    assert twice() == NOTHING
    mark = last_email()
    frozen.move_to(claim.info_due_at)
    assert twice() == only(information_overdue=1)
    claim.refresh_from_db()
    assert (claim.state, claim.info_due_at) == (ClaimState.IN_MEDIATION, None)
    # Only the mediator who asked hears of it, not every mediator.
    assert emails_since(mark) == [staff.user.email]


def test_old_cases_warn_mediators_once_at_the_target_age_and_once_at_ninety_days(
    claim, frozen, settings, mediator
):
    opened = claim.opened_at
    assert (settings.CLAIM_TARGET_DAYS, settings.CLAIM_OUTCOME_LIMIT_DAYS) == (30, 90)
    frozen.move_to(opened + timedelta(days=30) - timedelta(seconds=1))
    assert twice() == only(escalated=1)  # the shop never answered
    claim.refresh_from_db()
    claim = services.assign_case(actor=CaseActor(mediator, "staff"), claim=claim)
    mark = last_email()
    frozen.move_to(opened + timedelta(days=30))
    assert twice() == only(age_warned=1)
    assert emails_since(mark) == [mediator.email]
    frozen.move_to(opened + timedelta(days=90) - timedelta(seconds=1))
    assert twice() == NOTHING
    frozen.move_to(opened + timedelta(days=90))
    assert twice() == only(flagged=1)
    assert emails_since(mark) == [mediator.email, mediator.email]
    claim.refresh_from_db()
    assert claim.age_warned_at == opened + timedelta(days=30)
    assert claim.overdue_flagged_at == opened + timedelta(days=90)
    frozen.move_to(opened + timedelta(days=400))
    assert twice() == NOTHING
    assert len(emails_since(mark)) == 2


def test_ended_cases_are_left_alone(claim, frozen, buyer):
    services.withdraw_claim(actor=buyer, claim=claim)
    mark = last_email()
    frozen.move_to(claim.opened_at + timedelta(days=365))
    assert twice() == NOTHING
    assert emails_since(mark) == []


def test_filing_and_withdrawing_again_and_again_does_not_extend_the_cover_without_end(
    guarantee, buyer, settings
):
    cover_until = guarantee.cover_until
    for _ in range(3):
        claim = services.file_claim(
            actor=buyer,
            guarantee=Guarantee.objects.get(pk=guarantee.pk),
            reason="not_delivered",
            amount="120.00",
            description="The parcel never came.",
        )
        services.withdraw_claim(actor=buyer, claim=claim, note="It came after all.")
    guarantee.refresh_from_db()
    assert guarantee.state == "active"
    # "While a claim is open your protection is extended by 30 days" (docs/claims.md):
    # at most one extension's worth, however many claims were filed and withdrawn.
    extension = timedelta(days=settings.CLAIM_COVER_EXTENSION_DAYS)
    assert guarantee.cover_until <= cover_until + extension
