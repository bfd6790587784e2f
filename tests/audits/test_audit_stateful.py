"""Random actions by random people never break the audit workflow's promises."""

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from audits import services
from audits.models import Audit, FindingResult
from certification.models import TrustMark
from core.errors import DomainError
from tests.factories import ShopFactory, UserFactory, join, staff_user

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "reviewer", "second", "outsider", "admin"]


def people(likely: str) -> st.SearchStrategy[str]:
    """Anyone may try anything, but the person whose turn it is tries most often."""
    return st.one_of(st.just(likely), st.just(likely), st.sampled_from(PEOPLE))


CODES = ["T-BLOCK", "T-MAJOR", "T-MINOR", "T-MINOR2"]


def small_catalogue() -> None:
    """A four-criterion catalogue, so that the machine reaches decisions in few steps."""
    from audits.models import Category, CriteriaSet, Criterion

    if CriteriaSet.objects.filter(version="stateful").exists():
        return
    CriteriaSet.objects.filter(status="active").update(status="retired")
    criteria_set = CriteriaSet.objects.create(
        version="stateful", status="active", title={"en": "t"}
    )
    category = Category.objects.create(criteria_set=criteria_set, code="T", name={"en": "T"})
    texts = {lang: {"title": "t", "merchant_advice": "fix it"} for lang in ("en", "fr", "de")}
    for order, (code, severity) in enumerate(
        zip(CODES, ["blocking", "major", "minor", "minor"], strict=True)
    ):
        Criterion.objects.create(
            criteria_set=criteria_set,
            category=category,
            code=code,
            order=order,
            severity=severity,
            applies_to="both",
            texts=texts,
        )


class AuditWorkflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        small_catalogue()
        shop = ShopFactory()
        owner = UserFactory()
        join(shop.member, owner, "owner")
        self.people = {
            "owner": owner,
            "reviewer": staff_user("auditor"),
            "second": staff_user("auditor"),
            "outsider": UserFactory(),
            "admin": staff_user("administrator"),
        }
        self.audit = services.request_audit(shop=shop, actor=owner)
        self.transitions = 1

    def _audit(self) -> Audit:
        return Audit.objects.get(pk=self.audit.pk)

    def _try(self, call) -> None:
        before = self._audit().state
        try:
            call()
        except DomainError:
            assert self._audit().state == before
            return
        if self._audit().state != before:
            self.transitions += 1

    @rule(who=people("reviewer"))
    def take(self, who):
        person = self.people[who]
        self._try(
            lambda: services.assign_audit(
                audit=self._audit(), actor=person, auditor=self.people["reviewer"]
            )
        )

    @rule(who=people("reviewer"))
    def start(self, who):
        self._try(lambda: services.start_review(audit=self._audit(), actor=self.people[who]))

    @rule(
        who=people("reviewer"),
        code=st.sampled_from(CODES),
        result=st.sampled_from(["met", "met", "not_met", "not_applicable"]),
    )
    def record(self, who, code, result):
        finding = self._audit().findings.get(criterion__code=code)
        self._try(
            lambda: services.record_finding(
                finding=finding, actor=self.people[who], result=result, not_applicable_reason="n/a"
            )
        )

    @rule(who=people("reviewer"), unmet=st.sampled_from([None, *CODES]))
    def review_everything(self, who, unmet):
        """Record every criterion in one go: met, except perhaps one."""
        for finding in self._audit().findings.select_related("criterion"):
            result = "not_met" if finding.criterion.code == unmet else "met"
            self._try(
                lambda f=finding, r=result: services.record_finding(
                    finding=f, actor=self.people[who], result=r
                )
            )

    @rule(who=people("reviewer"))
    def send(self, who):
        self._try(lambda: services.send_findings(audit=self._audit(), actor=self.people[who]))

    @rule(who=people("owner"), complete=st.booleans())
    def resubmit(self, who, complete):
        audit = self._audit()
        answers = {f.pk: "fixed" for f in audit.findings.filter(result=FindingResult.NOT_MET)}
        if not complete:
            answers = {}
        self._try(lambda: services.resubmit(audit=audit, actor=self.people[who], answers=answers))

    @rule(who=people("reviewer"))
    def resume(self, who):
        self._try(lambda: services.resume_review(audit=self._audit(), actor=self.people[who]))

    @rule(who=st.sampled_from(["second", "reviewer", "admin", "owner"]))
    def approve(self, who):
        self._try(lambda: services.approve(audit=self._audit(), actor=self.people[who]))

    @rule(who=people("second"), reason=st.sampled_from(["", "imprint missing"]))
    def refuse(self, who, reason):
        self._try(
            lambda: services.refuse(audit=self._audit(), actor=self.people[who], reason=reason)
        )

    @rule(who=st.sampled_from(["outsider", "reviewer", "owner"]), really=st.integers(0, 4))
    def withdraw(self, who, really):
        if really:
            who = "outsider"  # most attempts come from someone who may not withdraw
        self._try(lambda: services.withdraw(audit=self._audit(), actor=self.people[who]))

    @invariant()
    def promises_hold(self):
        audit = self._audit()
        assert audit.state in {s for s, _label in Audit._meta.get_field("state").choices}
        if audit.state == "approved":
            assert audit.decided_by not in (None, audit.auditor)  # four eyes
            assert not services.blocking_failures(audit)
            assert audit.mark is not None
            assert TrustMark.objects.filter(shop=audit.shop).count() == 1
        else:
            assert not TrustMark.objects.filter(shop=audit.shop).exists()
        if audit.state == "refused":
            assert audit.decision_note
        history = Audit.pgh_event_model.objects.filter(pgh_obj_id=audit.pk)
        states = list(history.order_by("pgh_id").values_list("state", flat=True))
        changes = 1 + sum(1 for a, b in pairwise(states) if a != b)
        assert changes == self.transitions


def test_audit_workflow_state_machine(db):
    run_state_machine_as_test(
        AuditWorkflow,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
