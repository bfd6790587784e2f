"""Audits, evidence and documents: 404 for other members and unprivileged employees."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services
from audits.models import Finding
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from core.errors import DomainError
from tests.factories import ShopFactory, UserFactory, join, png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()


def _status(client, user, url, method="get", **data):
    client.force_login(user)
    return getattr(client, method)(url, data).status_code


def test_merchant_audit_page_and_evidence_are_404_for_outsiders_and_unprivileged(
    client, world, in_review, auditor
):
    finding = in_review.findings.first()
    services.record_finding(
        finding=finding,
        actor=auditor,
        result="met",
        evidence_file=SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
    )
    page = reverse("audits:merchant_audit", args=[in_review.pk])
    evidence = reverse("audits:evidence", args=[in_review.pk, finding.pk])
    for url in (page, evidence):
        assert _status(client, world.alice, url) == 200
        assert _status(client, world.bob, url) == 404  # cases right only
        assert _status(client, world.charlie, url) == 404
        assert _status(client, auditor, url) == 200
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.AUDITS, world.shop.pk)},
    )
    assert _status(client, world.bob, page) == 200
    client.force_login(world.alice)
    assert b"".join(client.get(evidence).streaming_content) == PNG


def test_staff_pages_are_404_for_merchants(client, world, in_review):
    for url in (reverse("audits:queue"), reverse("audits:workspace", args=[in_review.pk])):
        assert _status(client, world.alice, url) == 404
        assert _status(client, world.charlie, url) == 404
    url = reverse("audits:staff_action", args=[in_review.pk, "approve"])
    assert _status(client, world.alice, url, "post") == 404
    assert in_review.state == "in_review"


def test_merchant_actions_are_404_for_other_members(client, world, requested):
    for name in ("resubmit", "withdraw"):
        url = reverse(f"audits:{name}", args=[requested.pk])
        assert _status(client, world.charlie, url, "post") == 404
    assert (
        _status(client, world.charlie, reverse("audits:apply", args=[world.shop.public_id]), "post")
        == 404
    )


def test_wrong_evidence_type_or_size_is_refused_before_anything_is_stored(
    in_review, auditor, settings
):
    finding = in_review.findings.first()
    with pytest.raises(DomainError) as info:
        services.record_finding(
            finding=finding,
            actor=auditor,
            result="met",
            evidence_file=SimpleUploadedFile(
                "shot.png", b"<script>alert(1)</script>", content_type="image/png"
            ),
        )
    assert "PDF, PNG, JPEG, WebP or plain text" in info.value.message
    settings.EVIDENCE_MAX_BYTES = 32
    with pytest.raises(DomainError) as info:
        services.record_finding(
            finding=finding,
            actor=auditor,
            result="met",
            evidence_file=SimpleUploadedFile("big.png", PNG, content_type="image/png"),
        )
    assert "too large" in info.value.message
    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.result, finding.evidence_file.name) == ("open", "")


def test_the_owner_applies_from_the_shop_page(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("audits:apply", args=[world.shop.public_id]))
    assert response.status_code == 302
    audit = world.shop.audits.get()
    assert response["Location"] == reverse("audits:merchant_audit", args=[audit.pk])
    again = client.post(reverse("audits:apply", args=[world.shop.public_id]), follow=True)
    assert "already has an audit in progress" in again.content.decode()


def test_the_auditor_works_the_checklist_from_the_workspace(client, in_review, auditor):
    client.force_login(auditor)
    finding = in_review.findings.select_related("criterion").first()
    url = reverse("audits:finding_update", args=[in_review.pk, finding.pk])
    response = client.post(url, {"result": "not_met", "note": "no imprint link in footer"})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.result, finding.auditor_note) == ("not_met", "no imprint link in footer")
    page = client.get(reverse("audits:workspace", args=[in_review.pk]))
    assert finding.criterion.code in page.content.decode()


def test_queue_query_count_does_not_grow(client, auditor, world):
    client.force_login(auditor)
    url = reverse("audits:queue")
    services.request_audit(shop=world.shop, actor=world.alice)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(12):
        owner = UserFactory()
        shop = ShopFactory()
        join(shop.member, owner, "owner")
        services.request_audit(shop=shop, actor=owner)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
