"""Random sequences of mark actions by random people never reach an invalid state."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from certification.marks import (
    expire_due_marks,
    issue_mark,
    reinstate_mark,
    revoke_mark,
    suspend_mark,
)
from certification.models import LIVE_MARK_STATES, TrustMark
from core.errors import DomainError
from tests.factories import ShopFactory, UserFactory, administrator, join, staff_user

pytestmark = pytest.mark.django_db

ALLOWED = {
    "suspend": {"active": "suspended"},
    "reinstate": {"suspended": "active"},
    "revoke": {"active": "revoked", "suspended": "revoked"},
    "expire": {"active": "expired", "suspended": "expired"},
}


class MarkLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.shop = ShopFactory()
        owner = UserFactory()
        join(self.shop.member, owner, "owner")
        self.people = {
            "administrator": administrator(),
            "auditor": staff_user("auditor"),
            "owner": owner,
        }
        self.mark = issue_mark(shop=self.shop, actor=self.people["administrator"])
        self.state = "active"
        self.changes = 1  # the issue event

    def _attempt(self, action: str, who: str, call) -> None:
        before = TrustMark.objects.get(pk=self.mark.pk)
        try:
            call()
        except DomainError:
            after = TrustMark.objects.get(pk=self.mark.pk)
            assert (after.state, after.valid_until, after.status_note) == (
                before.state,
                before.valid_until,
                before.status_note,
            )
            return
        assert who == "administrator", f"{who} was allowed to {action}"
        assert self.state in ALLOWED[action], f"{action} from {self.state}"
        self.state = ALLOWED[action][self.state]
        self.changes += 1

    @rule(
        who=st.sampled_from(["administrator", "auditor", "owner"]),
        reason=st.sampled_from(["unpaid_fees", "criteria_breach", "other", "bogus"]),
        note=st.sampled_from(["", "late payment"]),
    )
    def suspend(self, who, reason, note):
        self._attempt(
            "suspend",
            who,
            lambda: suspend_mark(mark=self.mark, actor=self.people[who], reason=reason, note=note),
        )
        if reason == "bogus" or (reason == "other" and not note):
            assert (
                self.state != "suspended"
                or TrustMark.objects.get(pk=self.mark.pk).suspension_reason
            )

    @rule(
        who=st.sampled_from(["administrator", "auditor", "owner"]),
        note=st.sampled_from(["", "paid"]),
    )
    def reinstate(self, who, note):
        self._attempt(
            "reinstate",
            who,
            lambda: reinstate_mark(mark=self.mark, actor=self.people[who], note=note),
        )

    @rule(
        who=st.sampled_from(["administrator", "auditor", "owner"]),
        reason=st.sampled_from(["", "fraud"]),
    )
    def revoke(self, who, reason):
        self._attempt(
            "revoke",
            who,
            lambda: revoke_mark(mark=self.mark, actor=self.people[who], reason=reason),
        )

    @rule(days=st.integers(min_value=0, max_value=800))
    def time_passes(self, days):
        mark = TrustMark.objects.get(pk=self.mark.pk)
        today = mark.valid_from + timedelta(days=days)
        expired = expire_due_marks(today=today) if mark.shop_id == self.shop.pk else 0
        if today > mark.valid_until and self.state in LIVE_MARK_STATES:
            assert expired >= 1
            self.state = "expired"
            self.changes += 1

    @rule()
    def renew(self):
        if self.state in LIVE_MARK_STATES:
            issue_mark(shop=self.shop, actor=self.people["administrator"])
            self.changes += 1

    @invariant()
    def state_matches_and_history_counts_every_change(self):
        mark = TrustMark.objects.get(pk=self.mark.pk)
        assert mark.state == self.state
        assert TrustMark.pgh_event_model.objects.filter(pgh_obj_id=mark.pk).count() == self.changes
        assert TrustMark.objects.filter(shop=self.shop, state__in=LIVE_MARK_STATES).count() <= 1
        if mark.state == "suspended":
            assert mark.suspension_reason


def test_mark_lifecycle_state_machine(db):
    run_state_machine_as_test(
        MarkLifecycle,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
