import pytest
from django.core import mail

from audits import services
from audits.models import Audit, AuditDocument, Criterion, FindingResult
from certification.models import TrustMark
from core.errors import Conflict, DomainError, NotPermitted
from notifications.models import OutgoingMessage
from tests.audits.conftest import answers_for, decide_all

pytestmark = pytest.mark.django_db

MINOR = "ADR-02"
MAJOR = "ORDER-03"
BLOCKING = "IDENT-01"


def _reload(audit):
    return Audit.objects.get(pk=audit.pk)


def test_the_catalogue_is_loaded_with_every_language_and_severity():
    criteria = Criterion.objects.filter(criteria_set__status="active")
    assert criteria.count() >= 35
    assert {c.severity for c in criteria} == {"blocking", "major", "minor"}
    for criterion in criteria:
        for language in ("en", "fr", "de"):
            assert criterion.text("title", language)
            assert criterion.text("merchant_advice", language)
    assert Criterion.objects.get(code=MINOR).severity == "minor"
    assert Criterion.objects.get(code=BLOCKING).severity == "blocking"


def test_applying_creates_one_finding_per_applicable_criterion(requested, world):
    goods = Criterion.objects.filter(criteria_set=requested.criteria_set).exclude(
        applies_to="services"
    )
    assert requested.state == "requested"
    assert requested.findings.count() == goods.count()
    assert requested.requested_by == world.alice


def test_the_whole_journey_from_application_to_mark(
    world, auditor, auditor2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit = services.request_audit(shop=world.shop, actor=world.alice)
        services.assign_audit(audit=audit, actor=auditor, auditor=auditor)
        services.start_review(audit=audit, actor=auditor)
        decide_all(_reload(audit), auditor, unmet=(MAJOR, MINOR))
        services.send_findings(audit=_reload(audit), actor=auditor)
    audit = _reload(audit)
    assert audit.state == "findings_sent"
    assert audit.fix_due_at is not None
    assert AuditDocument.objects.filter(audit=audit, kind="findings").count() == 1
    sent = OutgoingMessage.objects.filter(
        template="audit_changed", to_email="alice@nordlicht.example"
    )
    assert sent.filter(language="de", status="sent").count() == 2  # requested, findings sent
    assert any(
        m.to == ["alice@nordlicht.example"] and "nordlicht.example" in m.subject
        for m in mail.outbox
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.resubmit(audit=audit, actor=world.alice, answers=answers_for(audit))
        services.resume_review(audit=_reload(audit), actor=auditor)
        for finding in _reload(audit).findings.filter(result=FindingResult.NOT_MET):
            services.record_finding(finding=finding, actor=auditor, result=FindingResult.MET)
        services.approve(audit=_reload(audit), actor=auditor2, note="all fixed")
    audit = _reload(audit)
    assert audit.state == "approved"
    assert audit.decided_by == auditor2
    mark = TrustMark.objects.get(shop=world.shop)
    assert audit.mark == mark
    assert mark.state == "active"
    assert mark.last_audit_on is not None
    documents = AuditDocument.objects.filter(audit=audit).select_related("document")
    assert sorted(d.kind for d in documents) == ["decision", "findings"]
    assert sorted(d.document.version for d in documents) == [1, 2]
    answered = audit.findings.get(criterion__code=MAJOR)
    assert answered.merchant_answer == f"fixed {MAJOR}"
    from audits.selectors import audit_history

    labels = [entry.label for entry in audit_history(audit)]
    assert labels == [
        "Requested",
        "Assigned",
        "Review started",
        "Findings sent",
        "Resubmitted",
        "Review resumed",
        "Approved",
    ]


def test_approval_is_refused_while_blocking_or_major_criteria_are_unmet(
    in_review, auditor, auditor2
):
    decide_all(in_review, auditor, unmet=(BLOCKING, MAJOR, MINOR))
    with pytest.raises(DomainError) as info:
        services.approve(audit=in_review, actor=auditor2)
    assert BLOCKING in info.value.message
    assert MAJOR in info.value.message
    assert MINOR not in info.value.message
    assert _reload(in_review).state == "in_review"
    assert not TrustMark.objects.exists()


def test_an_unmet_minor_criterion_does_not_block_approval(in_review, auditor, auditor2):
    decide_all(in_review, auditor, unmet=(MINOR,))
    assert services.approve(audit=in_review, actor=auditor2).state == "approved"


def test_four_eyes_the_reviewing_auditor_cannot_approve(in_review, auditor):
    decide_all(in_review, auditor)
    with pytest.raises(NotPermitted) as info:
        services.approve(audit=in_review, actor=auditor)
    assert "Four-eyes" in info.value.message
    assert _reload(in_review).state == "in_review"


def test_findings_need_every_criterion_checked_and_at_least_one_unmet(in_review, auditor):
    with pytest.raises(DomainError) as info:
        services.send_findings(audit=in_review, actor=auditor)
    assert "Check every criterion" in info.value.message
    decide_all(in_review, auditor)
    with pytest.raises(DomainError):
        services.send_findings(audit=in_review, actor=auditor)
    assert _reload(in_review).state == "in_review"


def test_not_applicable_needs_a_reason(in_review, auditor):
    finding = in_review.findings.first()
    with pytest.raises(DomainError) as info:
        services.record_finding(finding=finding, actor=auditor, result="not_applicable")
    assert info.value.field == "not_applicable_reason"
    services.record_finding(
        finding=finding,
        actor=auditor,
        result="not_applicable",
        not_applicable_reason="no B2C sales",
    )


def test_unmet_findings_get_the_catalogues_advice_in_the_shops_language(in_review, auditor):
    finding = in_review.findings.get(criterion__code=MAJOR)
    services.record_finding(finding=finding, actor=auditor, result="not_met")
    finding.refresh_from_db()
    assert finding.advice == finding.criterion.text("merchant_advice", "de")


def test_resubmitting_needs_an_answer_for_every_unmet_finding(in_review, auditor, world):
    decide_all(in_review, auditor, unmet=(MAJOR, MINOR))
    services.send_findings(audit=in_review, actor=auditor)
    audit = _reload(in_review)
    partial = dict(list(answers_for(audit).items())[:1])
    with pytest.raises(DomainError) as info:
        services.resubmit(audit=audit, actor=world.alice, answers=partial)
    assert info.value.field == "answers"
    assert _reload(audit).state == "findings_sent"
    assert not audit.findings.exclude(merchant_answer="").exists()


def test_only_the_right_people_act(requested, world, auditor, auditor2, mediator):
    with pytest.raises(NotPermitted):
        services.request_audit(shop=world.other_shop, actor=world.bob)  # bob has cases only
    with pytest.raises(NotPermitted):
        services.request_audit(shop=world.shop, actor=world.charlie)
    with pytest.raises(NotPermitted):
        services.assign_audit(audit=requested, actor=world.alice, auditor=auditor)
    with pytest.raises(NotPermitted):
        services.assign_audit(audit=requested, actor=auditor, auditor=auditor2)  # not an admin
    with pytest.raises(NotPermitted):
        services.assign_audit(audit=requested, actor=mediator, auditor=mediator)
    audit = services.assign_audit(audit=requested, actor=auditor, auditor=auditor)
    with pytest.raises(NotPermitted):
        services.start_review(audit=audit, actor=auditor2)  # not the assigned auditor
    with pytest.raises(NotPermitted):
        services.withdraw(audit=audit, actor=world.charlie)
    assert _reload(audit).state == "assigned"


def test_steps_out_of_order_are_refused_with_a_message(requested, world, auditor, admin_user):
    with pytest.raises(Conflict) as info:
        services.start_review(audit=requested, actor=admin_user)
    assert "not possible now" in info.value.message
    with pytest.raises(Conflict):
        services.resubmit(audit=requested, actor=world.alice, answers={})
    assert _reload(requested).state == "requested"


def test_one_open_audit_per_shop(requested, world):
    with pytest.raises(Conflict):
        services.request_audit(shop=world.shop, actor=world.alice)
    services.withdraw(audit=requested, actor=world.alice)
    assert services.request_audit(shop=world.shop, actor=world.alice).pk != requested.pk


def test_refusal_needs_a_reason(in_review, auditor2):
    with pytest.raises(DomainError):
        services.refuse(audit=in_review, actor=auditor2, reason=" ")
    services.refuse(audit=in_review, actor=auditor2, reason="Imprint missing after two rounds")
    assert _reload(in_review).decision_note == "Imprint missing after two rounds"
