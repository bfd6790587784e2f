import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from audits import services
from audits.models import Audit, AuditDocument, Criterion, FindingResult
from audits.tasks import render_audit_document
from certification.marks import issue_mark
from tests.audits.conftest import decide_all
from tests.factories import ShopFactory, UserFactory, join, staff_user

pytestmark = pytest.mark.django_db


def _text(document) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_document_lists_every_criterion_and_the_advice_for_unmet_ones(in_review, auditor):
    unmet = ("ORDER-03", "WITHDR-02", "DATA-03")
    decide_all(in_review, auditor, unmet=unmet)
    services.send_findings(audit=in_review, actor=auditor)
    assert render_audit_document(in_review.pk, "findings", 1) == "rendered"
    document = AuditDocument.objects.get(audit=in_review).document
    text = " ".join(_text(document).split())
    for finding in in_review.findings.select_related("criterion"):
        assert finding.criterion.code in text
    for code in unmet:
        advice = Criterion.objects.get(code=code).text("merchant_advice", "de")
        assert " ".join(advice.split())[:60] in text
    assert "Prüfdokument" in text or "Verifizierungsdokument" in text  # the shop is German
    assert document.language == "de"


def test_the_document_language_follows_the_shop(db, admin_user):
    owner = UserFactory()
    shop = ShopFactory(language="fr", target_market="FR", domain="boutique.example")
    join(shop.member, owner, "owner")
    audit = services.request_audit(shop=shop, actor=owner)
    auditor = staff_user("auditor")
    services.assign_audit(audit=audit, actor=auditor, auditor=auditor)
    services.start_review(audit=audit, actor=auditor)
    decide_all(audit, auditor, unmet=("IDENT-04",))
    services.send_findings(audit=audit, actor=auditor)
    render_audit_document(audit.pk, "findings", 1)
    document = AuditDocument.objects.get(audit=audit).document
    assert document.language == "fr"
    assert "Document de vérification" in " ".join(_text(document).split())


def test_rendering_twice_keeps_one_document(in_review, auditor):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    services.send_findings(audit=in_review, actor=auditor)
    assert render_audit_document(in_review.pk, "findings", 1) == "rendered"
    assert render_audit_document(in_review.pk, "findings", 1) == "already rendered"
    assert AuditDocument.objects.filter(audit=in_review).count() == 1


def test_lapse_runs_twice_with_the_effect_of_once(in_review, auditor):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    services.send_findings(audit=in_review, actor=auditor)
    later = timezone.now() + timedelta(days=31)
    assert services.lapse_overdue_audits(now=later) == 1
    assert services.lapse_overdue_audits(now=later) == 0
    assert Audit.objects.get(pk=in_review.pk).state == "lapsed"


def test_findings_not_yet_due_do_not_lapse(in_review, auditor):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    services.send_findings(audit=in_review, actor=auditor)
    assert services.lapse_overdue_audits(now=timezone.now() + timedelta(days=29)) == 0


def test_renewal_opens_once_sixty_days_before_expiry_and_carries_findings_over(
    in_review, auditor, auditor2, world
):
    decide_all(in_review, auditor, unmet=("ADR-02",))
    approved = services.approve(audit=in_review, actor=auditor2)
    mark = approved.mark
    too_early = mark.valid_until - timedelta(days=61)
    assert services.open_renewal_audits(today=too_early) == 0
    due = mark.valid_until - timedelta(days=60)
    assert services.open_renewal_audits(today=due) == 1
    assert services.open_renewal_audits(today=due) == 0
    renewal = Audit.objects.get(shop=world.shop, kind="renewal")
    assert renewal.previous == approved
    carried = renewal.findings.get(criterion__code="ADR-02")
    assert carried.result == FindingResult.NOT_MET
    assert carried.auditor_note == "checked"


def test_renewal_approval_extends_the_same_mark(in_review, auditor, auditor2, world, admin_user):
    decide_all(in_review, auditor)
    first = services.approve(audit=in_review, actor=auditor2).mark
    services.open_renewal_audits(today=first.valid_until - timedelta(days=10))
    renewal = Audit.objects.get(shop=world.shop, kind="renewal")
    services.assign_audit(audit=renewal, actor=auditor, auditor=auditor)
    services.start_review(audit=renewal, actor=auditor)
    services.approve(audit=renewal, actor=auditor2)
    renewed = Audit.objects.get(pk=renewal.pk).mark
    assert renewed.pk == first.pk
    assert renewed.valid_until > first.valid_until


@pytest.mark.django_db(transaction=True)
def test_two_auditors_approving_at_once_approve_once():
    owner = UserFactory()
    shop = ShopFactory()
    join(shop.member, owner, "owner")
    reviewer = staff_user("auditor")
    approvers = [staff_user("auditor"), staff_user("auditor")]
    audit = services.request_audit(shop=shop, actor=owner)
    services.assign_audit(audit=audit, actor=reviewer, auditor=reviewer)
    services.start_review(audit=audit, actor=reviewer)
    decide_all(audit, reviewer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor) -> None:
        try:
            barrier.wait()
            services.approve(audit=audit, actor=actor)
            outcomes.append("approved")
        except services.Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert shop.marks.count() == 1
    assert Audit.objects.get(pk=audit.pk).state == "approved"


def test_issuing_for_a_shop_through_an_audit_links_the_mark(in_review, auditor, auditor2):
    decide_all(in_review, auditor)
    audit = services.approve(audit=in_review, actor=auditor2)
    assert audit.mark.shop_id == audit.shop_id
    assert issue_mark(shop=audit.shop, actor=auditor2).pk == audit.mark.pk
