"""Random people doing random things to a claim never break the case workflow's promises.

The parties (the buyer, the shop's owner and employee, two mediators) act most often;
wrong parties (the buyer of another guarantee, an outsider shop, a merchant posing as
staff) try too, and must always be refused. After every step: no payout without a
decision for the buyer, no payout over the cover or the decision, one payout per case
and at most one paid, one open claim per guarantee, one history event per change, and a
refused action changes nothing at all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.roles import Role
from certification.models import MembershipPlan
from core.errors import DomainError
from disputes import payouts, services
from disputes.access import CaseActor, buyer_of
from disputes.models import (
    OPEN_CLAIM_STATES,
    Claim,
    ClaimState,
    Message,
    Party,
    Payout,
    PayoutState,
    RecourseEntry,
)
from guarantees.models import Guarantee, GuaranteeState
from guarantees.services import register_guarantee
from notifications.models import OutgoingMessage
from tests.factories import staff_user
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

PARTIES = ["buyer", "owner", "employee", "mediator", "mediator2"]
WRONG = ["other_buyer", "outsider", "impostor"]
EVERYONE = PARTIES + WRONG
ORDERS = itertools.count(1)
# Where an example's claim starts, reached through the services by the right people.
STAGES = [
    "awaiting_shop",
    "shop_answered",
    "in_mediation",
    "awaiting_information",
    "back_in_mediation",
    "decided",
    "approved",
]
STAGE_STATES = {
    **{stage: stage for stage in STAGES[:4]},
    "back_in_mediation": ClaimState.IN_MEDIATION,
    "decided": ClaimState.DECIDED_FOR_BUYER,
    "approved": ClaimState.DECIDED_FOR_BUYER,
}

# Raw amounts as a person would type them; "cover" and "cover+" are resolved per guarantee.
AMOUNTS = st.one_of(
    st.sampled_from(["cover", "cover+", "0", "-5", "12.345", "abc", "2500.00", "2500.01"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3100"), places=2).map(str),
)


def who(*likely: str) -> st.SearchStrategy[str]:
    """Anyone may try anything, but the people whose turn it is try most often."""
    return st.one_of(st.sampled_from(likely), st.sampled_from(likely), st.sampled_from(EVERYONE))


@dataclass
class Cast:
    shop: Any
    other_guarantee: Guarantee
    people: dict[str, CaseActor]


class ClaimWorkflow(RuleBasedStateMachine):
    cast: ClassVar[Cast]

    @initialize(
        amount=st.sampled_from(["80.00", "2600.00", "3000.00"]),
        claimed=AMOUNTS,
        stage=st.sampled_from(STAGES),
        asked=st.sampled_from(["buyer", "shop"]),
    )
    def register_and_file(self, amount, claimed, stage, asked):
        """A fresh guarantee; its claim starts at a random stage, reached by the right people."""
        n = next(ORDERS)
        self.guarantee = register_guarantee(
            shop=self.cast.shop,
            purchase=purchase(
                order_reference=f"SM-{n}",
                amount=amount,
                plan="plus",
                buyer_email=f"buyer{n}@example.org",
            ),
            channel="api",
        )
        self.cover = self.guarantee.cover_amount
        self.claim_pk: int | None = None
        self.file("buyer", claimed)
        if self.claim_pk is None:
            self.file("buyer", "cover")
        reached = STAGES.index(stage)
        steps = [
            lambda: self.answer("owner", "disputed", complete=True),
            lambda: self.reject("buyer", "No neighbour has it."),
            lambda: self.ask("mediator", asked),
            lambda: self.resume("mediator"),
            lambda: self.decide("mediator", for_buyer=True, raw=None),
            lambda: self.approve("mediator2"),
        ]
        for step in steps[:reached]:
            step()
        assert self.claim().state == STAGE_STATES[stage]
        if stage == "approved":
            assert self.payout().state == PayoutState.APPROVED

    # -- the people ------------------------------------------------------------------

    def actor(self, name: str) -> CaseActor:
        if name == "buyer":
            return buyer_of(self.guarantee)
        return self.cast.people[name]

    def money(self, raw: str) -> str:
        if raw == "cover":
            return str(self.cover)
        if raw == "cover+":
            return str(self.cover + Decimal("0.01"))
        return raw

    def claim(self) -> Claim:
        return Claim.objects.get(pk=self.claim_pk)

    def payout(self) -> Payout:
        return Payout.objects.get(claim_id=self.claim_pk)

    def has_claim(self) -> bool:
        return self.claim_pk is not None

    def has_payout(self) -> bool:
        return self.claim_pk is not None and Payout.objects.filter(claim_id=self.claim_pk).exists()

    # -- what the world looks like -------------------------------------------------------

    def history(self) -> int:
        g = self.guarantee.pk
        return (
            Claim.pgh_event_model.objects.filter(pgh_obj__guarantee_id=g).count()
            + Message.pgh_event_model.objects.filter(pgh_obj__claim__guarantee_id=g).count()
            + Payout.pgh_event_model.objects.filter(pgh_obj__claim__guarantee_id=g).count()
        )

    def snapshot(self) -> dict[str, Any]:
        g = self.guarantee.pk
        return {
            "guarantee": Guarantee.objects.filter(pk=g).values_list("state", "cover_until").get(),
            "other": Guarantee.objects.filter(pk=self.cast.other_guarantee.pk)
            .values_list("state", flat=True)
            .get(),
            "claims": list(
                Claim.objects.filter(guarantee_id=g)
                .order_by("pk")
                .values_list(
                    "pk", "state", "amount", "decision_amount", "mediator_id", "info_due_at"
                )
            ),
            "payouts": list(
                Payout.objects.filter(claim__guarantee_id=g)
                .order_by("pk")
                .values_list("pk", "state", "amount", "proposed_by_id", "approved_by_id")
            ),
            "messages": Message.objects.filter(claim__guarantee_id=g).count(),
            "recourse": RecourseEntry.objects.filter(payout__claim__guarantee_id=g).count(),
            "outbox": OutgoingMessage.objects.count(),
            "history": self.history(),
        }

    def _try(self, name: str, call, events, *, state: str | None = None) -> bool:
        """Run one service call. Refused: nothing changed. Done: `events` new history rows."""
        before = self.snapshot()
        try:
            call()
        except DomainError:
            assert self.snapshot() == before, "a refused action changed something"
            return False
        assert name not in WRONG, f"{name} was allowed to act on someone else's case"
        after = self.snapshot()
        expected = events(before, after) if callable(events) else events
        assert after["history"] - before["history"] == expected
        if state is not None:
            assert self.claim().state == state
        return True

    # -- the buyer ---------------------------------------------------------------------

    @rule(name=who("buyer"), raw=AMOUNTS)
    def file(self, name, raw):
        created: list[Claim] = []
        done = self._try(
            name,
            lambda: created.append(
                services.file_claim(
                    actor=self.actor(name),
                    guarantee=Guarantee.objects.get(pk=self.guarantee.pk),
                    reason="not_delivered",
                    amount=self.money(raw),
                    description="The parcel never came.",
                )
            ),
            3,  # filed, sent to the shop, the buyer's first post
            state=None,
        )
        if done:
            self.claim_pk = created[0].pk
            assert self.claim().state == ClaimState.AWAITING_SHOP
            assert self.claim().amount <= self.cover

    @precondition(has_claim)
    @rule(name=who("buyer"))
    def accept(self, name):
        self._try(
            name,
            lambda: services.accept_answer(actor=self.actor(name), claim=self.claim()),
            1,
            state=ClaimState.RESOLVED,
        )

    @precondition(has_claim)
    @rule(name=who("buyer"), reason=st.sampled_from(["", "No neighbour has it."]))
    def reject(self, name, reason):
        self._try(
            name,
            lambda: services.reject_answer(
                actor=self.actor(name), claim=self.claim(), reason=reason
            ),
            2,
            state=ClaimState.IN_MEDIATION,
        )

    @precondition(has_claim)
    @rule(name=who("buyer"), really=st.integers(0, 3))
    def withdraw(self, name, really=0):
        if really:
            name = "other_buyer"  # most attempts come from someone who may not withdraw
        self._try(
            name,
            lambda: services.withdraw_claim(actor=self.actor(name), claim=self.claim()),
            1,
            state=ClaimState.WITHDRAWN,
        )

    # -- the shop ----------------------------------------------------------------------

    @precondition(has_claim)
    @rule(
        name=who("owner", "employee"),
        answer=st.sampled_from(["delivered", "disputed", "disputed", "refunded", "lost"]),
        complete=st.sampled_from([True, True, False]),
    )
    def answer(self, name, answer, complete):
        details = {"carrier": "DHL", "tracking": "00340434", "text": "Signed for."}
        if not complete:
            details = {"carrier": "DHL"}
        self._try(
            name,
            lambda: services.answer_claim(
                actor=self.actor(name), claim=self.claim(), answer=answer, **details
            ),
            2,
            state=ClaimState.SHOP_ANSWERED,
        )

    @precondition(has_claim)
    @rule(name=who("owner", "employee"), really=st.integers(0, 3))
    def settle(self, name, really=0):
        if really:
            name = "outsider"  # most attempts come from someone who may not settle
        self._try(
            name,
            lambda: services.settle_claim(
                actor=self.actor(name), claim=self.claim(), note="Refunded in full."
            ),
            2,
            state=ClaimState.RESOLVED,
        )

    # -- everyone on the case ------------------------------------------------------------

    @precondition(has_claim)
    @rule(name=st.sampled_from(EVERYONE), internal=st.booleans())
    def post(self, name, internal):
        def events(before, after):
            was, now = before["claims"][-1][1], after["claims"][-1][1]
            resumed = was == ClaimState.AWAITING_INFORMATION and now == ClaimState.IN_MEDIATION
            return 1 + int(resumed)

        self._try(
            name,
            lambda: services.post_message(
                actor=self.actor(name), claim=self.claim(), body="Any news?", internal=internal
            ),
            events,
        )

    # -- the mediators -------------------------------------------------------------------

    @precondition(has_claim)
    @rule(name=who("mediator", "mediator2"), to=st.sampled_from([None, "mediator", "mediator2"]))
    def assign(self, name, to):
        def events(before, after):
            return int(before["claims"][-1][4] != after["claims"][-1][4])

        target = self.cast.people[to].user if to else None
        self._try(
            name,
            lambda: services.assign_case(
                actor=self.actor(name), claim=self.claim(), mediator=target
            ),
            events,
        )

    @precondition(has_claim)
    @rule(name=who("mediator", "mediator2"), party=st.sampled_from(["buyer", "shop", "staff"]))
    def ask(self, name, party):
        self._try(
            name,
            lambda: services.request_information(
                actor=self.actor(name), claim=self.claim(), party=party, question="Photo?"
            ),
            2,
            state=ClaimState.AWAITING_INFORMATION,
        )

    @precondition(has_claim)
    @rule(name=who("mediator", "mediator2"))
    def resume(self, name):
        self._try(
            name,
            lambda: services.resume_mediation(actor=self.actor(name), claim=self.claim()),
            1,
            state=ClaimState.IN_MEDIATION,
        )

    @precondition(has_claim)
    @rule(
        name=who("mediator", "mediator2"),
        for_buyer=st.booleans(),
        raw=st.one_of(st.none(), AMOUNTS),
    )
    def decide(self, name, for_buyer, raw):
        amount = None if raw is None else self.money(raw)
        self._try(
            name,
            lambda: services.decide_claim(
                actor=self.actor(name),
                claim=self.claim(),
                for_buyer=for_buyer,
                amount=amount,
                reason="Not delivered.",
            ),
            2 if for_buyer else 1,  # a decision for the buyer also proposes the payout
            state=ClaimState.DECIDED_FOR_BUYER if for_buyer else ClaimState.DECIDED_FOR_SHOP,
        )

    # -- the payout ----------------------------------------------------------------------

    @precondition(has_payout)
    @rule(name=who("mediator", "mediator2"))
    def approve(self, name):
        self._try(
            name,
            lambda: payouts.approve_payout(actor=self.actor(name), payout=self.payout()),
            1,
        )

    @precondition(has_payout)
    @rule(name=who("mediator", "mediator2"), reference=st.sampled_from(["SEPA-1", "SEPA-1", " "]))
    def pay(self, name, reference):
        self._try(
            name,
            lambda: payouts.mark_paid(
                actor=self.actor(name), payout=self.payout(), reference=reference
            ),
            2,  # the payout paid, the case closed
            state=None,
        )

    @precondition(has_payout)
    @rule(name=who("mediator", "mediator2"))
    def cancel(self, name):
        self._try(
            name,
            lambda: payouts.cancel_payout(
                actor=self.actor(name), payout=self.payout(), reason="Wrong account."
            ),
            1,
        )

    @precondition(has_payout)
    @rule(name=who("mediator", "mediator2"), raw=AMOUNTS)
    def propose_again(self, name, raw):
        self._try(
            name,
            lambda: payouts.propose_again(
                actor=self.actor(name), payout=self.payout(), amount=self.money(raw)
            ),
            1,
        )

    # -- the promises --------------------------------------------------------------------

    @invariant()
    def promises_hold(self):
        if not hasattr(self, "guarantee"):
            return
        guarantee = Guarantee.objects.get(pk=self.guarantee.pk)
        claims = list(Claim.objects.filter(guarantee=guarantee).order_by("pk"))
        open_claims = [c for c in claims if c.state in OPEN_CLAIM_STATES]
        assert len(open_claims) <= 1
        assert (guarantee.state == GuaranteeState.CLAIMED) == bool(open_claims)
        paid = 0
        for claim in claims:
            assert claim.amount <= guarantee.cover_amount
            payout = Payout.objects.filter(claim=claim).first()
            decided_for_buyer = claim.state in (ClaimState.DECIDED_FOR_BUYER, ClaimState.CLOSED)
            assert (payout is not None) == decided_for_buyer
            if decided_for_buyer:
                assert claim.decision_amount is not None
                assert claim.decision_amount <= claim.amount
            if payout is None:
                continue
            assert payout.amount <= guarantee.cover_amount
            assert payout.amount <= claim.decision_amount
            assert payout.cover_amount == guarantee.cover_amount
            if payout.amount > django_settings.PAYOUT_FOUR_EYES_ABOVE and payout.state in (
                PayoutState.APPROVED,
                PayoutState.PAID,
            ):
                assert payout.approved_by_id != payout.proposed_by_id
            assert (payout.state == PayoutState.PAID) == (claim.state == ClaimState.CLOSED)
            if payout.state == PayoutState.PAID:
                paid += 1
                debt = RecourseEntry.objects.get(payout=payout)
                assert (debt.amount, debt.shop_id) == (payout.amount, claim.shop_id)
                assert guarantee.state == GuaranteeState.CLOSED
        assert paid <= 1
        assert RecourseEntry.objects.filter(payout__claim__guarantee=guarantee).count() == paid
        assert not Claim.objects.filter(guarantee=self.cast.other_guarantee).exists()


def test_claim_workflow_state_machine(world, active_mark, mediator):
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    other = register_guarantee(
        shop=world.shop,
        purchase=purchase(order_reference="SM-OTHER", amount="500.00", plan="plus"),
        channel="api",
    )
    second = staff_user(Role.MEDIATOR, email="mediator2@trustmark.example")
    ClaimWorkflow.cast = Cast(
        shop=world.shop,
        other_guarantee=other,
        people={
            "owner": CaseActor(user=world.alice, party=Party.SHOP),
            "employee": CaseActor(user=world.bob, party=Party.SHOP),
            "mediator": CaseActor(user=mediator, party=Party.STAFF),
            "mediator2": CaseActor(user=second, party=Party.STAFF),
            "other_buyer": buyer_of(other),
            "outsider": CaseActor(user=world.charlie, party=Party.SHOP),
            "impostor": CaseActor(user=world.alice, party=Party.STAFF),
        },
    )
    run_state_machine_as_test(
        ClaimWorkflow,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
