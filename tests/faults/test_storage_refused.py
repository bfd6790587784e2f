"""The file store refuses a write (tests/faults/storage.py makes a real directory refuse).

An upload is refused with a message that names the problem, nothing half-stored
remains and the same upload works once the store takes files again. A document render
that cannot be stored leaves its promise pending; the sweeper renders it once later.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits import services as audits
from audits.models import AuditDocument, DocumentRender, Finding
from audits.rendering import sweep_renders
from certification.documents import document_is_genuine
from certification.models import VerificationDocument
from disputes import services
from disputes.models import Attachment, Message
from guarantees.links import page_token
from tests.audits.conftest import decide_all
from tests.factories import png_bytes
from tests.faults.storage import refusing_writes

PNG = png_bytes()
REFUSED = "Our file storage is not accepting files right now, so nothing was saved."
REFUSED_FR = "Notre stockage de fichiers"


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> Path:
    """A file store of this test's own (ids repeat across parallel test databases)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def every_file_row_has_its_file() -> list[str]:
    """The rows whose file is not in the store: there must be none."""
    missing = []
    for model, field in ((Attachment, "file"), (Finding, "evidence_file")):
        for row in model.objects.exclude(**{field: ""}):
            if not getattr(row, field).storage.exists(getattr(row, field).name):
                missing.append(f"{model.__name__} {row.pk}")
    for document in VerificationDocument.objects.all():
        if not document.file.storage.exists(document.file.name):
            missing.append(f"VerificationDocument {document.pk}")
    return missing


@pytest.mark.django_db
def test_an_attachment_the_store_refuses_is_a_form_error_and_can_be_sent_again(
    client, guarantee, buyer, store
):
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="120.00",
        description="Nothing arrived.",
    )
    url = reverse("claims:action", args=[page_token(guarantee.number), claim.number, "message"])
    messages_before = Message.objects.filter(claim=claim).count()

    def post(**headers: str):
        upload = SimpleUploadedFile("receipt.png", PNG, content_type="image/png")
        return client.post(url, {"body": "Here is my receipt.", "files": upload}, **headers)

    with refusing_writes(store / "claims" / str(claim.pk)):
        response = post()
        assert response.status_code == 400
        form = next(f["form"] for f in response.context["forms"] if f["name"] == "message")
        assert REFUSED in " ".join(form.errors["files"])
        french = post(HTTP_ACCEPT_LANGUAGE="fr")
        assert french.status_code == 400
        assert REFUSED_FR in french.content.decode()
    assert Message.objects.filter(claim=claim).count() == messages_before
    assert not Attachment.objects.exists()
    assert every_file_row_has_its_file() == []

    again = post()
    assert again.status_code == 302
    attachment = Attachment.objects.get()
    assert Path(attachment.file.path).read_bytes() == PNG
    assert every_file_row_has_its_file() == []


@pytest.mark.django_db
def test_audit_evidence_the_store_refuses_is_reported_and_nothing_points_at_it(
    client, in_review, auditor, store
):
    client.force_login(auditor)
    finding = in_review.findings.select_related("criterion").first()
    url = reverse("audits:finding_update", args=[in_review.pk, finding.pk])

    def post():
        upload = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
        return client.post(url, {"result": "met", "evidence_file": upload}, follow=True)

    with refusing_writes(store / "evidence" / f"audit-{in_review.pk}"):
        page = post()
    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert any(REFUSED in text and finding.criterion.code in text for text in shown), shown
    finding.refresh_from_db()
    assert (finding.result, finding.evidence_file.name) == ("open", "")
    assert every_file_row_has_its_file() == []

    post()
    finding.refresh_from_db()
    assert finding.result == "met"
    assert Path(finding.evidence_file.path).read_bytes() == PNG
    assert every_file_row_has_its_file() == []


@pytest.mark.django_db(transaction=True)
def test_a_document_the_store_refuses_stays_owed_and_the_sweeper_renders_it_once(
    in_review, auditor, store
):
    decide_all(in_review, auditor, unmet=("ORDER-03",))
    shop_dir = store / "documents" / in_review.shop.public_id
    with refusing_writes(shop_dir):
        audit = audits.send_findings(audit=in_review, actor=auditor)  # renders inline at commit
        assert audit.state == "findings_sent"  # the step itself is kept
        promise = DocumentRender.objects.get(audit=audit, kind="findings", round=1)
        assert (promise.status, promise.attempts) == ("pending", 1)
        assert promise.last_error  # the OS error, for the admin
        assert promise.next_attempt_at > timezone.now()
        assert not VerificationDocument.objects.filter(shop=audit.shop).exists()
        assert every_file_row_has_its_file() == []
        # The sweeper retries while the store still refuses: still owed, one more attempt.
        assert sweep_renders(now=timezone.now() + timedelta(minutes=5)) == 1
        promise.refresh_from_db()
        assert (promise.status, promise.attempts) == ("pending", 2)

    assert sweep_renders(now=timezone.now() + timedelta(minutes=30)) == 1
    promise.refresh_from_db()
    assert (promise.status, promise.attempts, promise.last_error) == ("done", 3, "")
    document = AuditDocument.objects.get(audit=audit, kind="findings", round=1).document
    assert VerificationDocument.objects.filter(shop=audit.shop).count() == 1
    assert sorted(shop_dir.iterdir()) == [Path(document.file.path)]
    assert document_is_genuine(document, Path(document.file.path).read_bytes())
    assert sweep_renders(now=timezone.now() + timedelta(hours=2)) == 0
