"""The trust mark in the browser: apply, findings, fix, resubmit, four-eyes approval, badge."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from audits.models import Audit, AuditState
from tests.e2e.helpers import emailed_links, record_findings, sign_in
from tests.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UNMET = "IDENT-04"  # a major criterion: it stops the approval while not met
ADVICE = "Name the company's register number and court in the imprint."
FIX = "The imprint now names HRB 12345, Amtsgericht Hamburg."


def test_a_shop_applies_fixes_its_findings_is_approved_by_a_second_auditor_and_shows_the_badge(
    new_page, shot, live_server, world, auditor, settings
):
    """Clicked in the browser: the application, taking the audit and starting the review,
    one finding not met with advice, sending the findings, the owner's fix and resubmission,
    the review of the changes and the finding then met, the refused own approval (four eyes),
    the second auditor's approval, the document download, the badge snippet and its link.
    Recorded through audits.services.record_finding: the ~70 other criteria, all met."""
    settings.AUDIT_FOUR_EYES = True
    second_auditor = staff_user(Role.AUDITOR, email="second.auditor@trustmark.example")
    base, shop = live_server.url, world.shop

    # The owner applies for the trust mark from the shop's page.
    owner = new_page()
    sign_in(owner, base, world.alice.email, PASSWORD)
    owner.get_by_role("navigation").get_by_role("link", name="Shops").click()
    owner.get_by_role("link", name=shop.name, exact=True).click()
    expect(owner.get_by_role("heading", name=shop.name, exact=True)).to_be_visible()
    expect(owner.locator("#audits")).to_contain_text("No audit yet.")
    owner.get_by_role("button", name="Apply for the trust mark").click()
    audit = Audit.objects.get(shop=shop)
    expect(owner.locator(".messages")).to_contain_text("Your application was received.")
    expect(owner.get_by_role("heading", name=f"Audit of {shop.domain}")).to_be_visible()
    expect(owner.locator(".card-header .badge")).to_have_text("Requested")
    shot(owner, "applied")

    # The first auditor takes it from the queue and starts the review.
    first = new_page()
    sign_in(first, base, auditor.email, PASSWORD)
    first.get_by_role("navigation").get_by_role("link", name="Audit queue").click()
    expect(first.get_by_role("heading", name="Audit queue")).to_be_visible()
    expect(first.locator("table.list")).to_contain_text(shop.domain)
    shot(first, "queue")
    first.get_by_role("link", name=str(audit.pk), exact=True).click()
    expect(first.get_by_role("heading", name=f"Audit #{audit.pk} — {shop.domain}")).to_be_visible()
    first.get_by_role("button", name="Take this audit").click()
    first.get_by_role("button", name="Start the review").click()
    expect(first.locator(".card-header .badge")).to_have_text("In review")

    # Every criterion but one is met (services); the auditor records that one in the page.
    record_findings(audit, auditor, skip=(UNMET,))
    first.reload()
    finding = audit.findings.get(criterion__code=UNMET)
    form = first.locator(f"#f-{finding.pk} form")
    expect(form).to_be_visible()  # the only criterion still open is unfolded
    form.get_by_label("Not met").check()
    form.get_by_label("Advice to the merchant").fill(ADVICE)
    shot(first, "finding-not-met")
    form.get_by_role("button", name="Save").click()
    expect(first.locator(f"#f-{finding.pk} summary .badge")).to_have_text("Not met")
    expect(first.get_by_text(f"blocking or major criteria are not met: {UNMET}")).to_be_visible()
    first.get_by_role("button", name="Send the findings to the merchant").click()
    expect(first.locator(".messages")).to_contain_text("Done.")
    expect(first.locator(".card-header .badge")).to_have_text("Findings sent")
    shot(first, "findings-sent")

    # The owner follows the emailed link, fixes the imprint and resubmits.
    links = [link for link in emailed_links(world.alice.email) if f"/audits/{audit.pk}/" in link]
    assert links, "the owner got no email linking the audit"
    owner.goto(links[-1])
    expect(owner.get_by_role("heading", name="What to fix")).to_be_visible()
    fix = owner.locator(".fix", has_text=UNMET)
    expect(fix.locator(".advice-box")).to_contain_text(ADVICE)
    fix.get_by_label("What you changed").fill(FIX)
    shot(owner, "what-to-fix")
    owner.get_by_role("button", name="Resubmit for review").click()
    expect(owner.locator(".messages")).to_contain_text("the auditor will check your changes")
    expect(owner.locator(".card-header .badge")).to_have_text("Resubmitted")

    # The first auditor checks the change, marks it met, and may not approve his own review.
    first.reload()
    expect(first.locator(".card-header .badge")).to_have_text("Resubmitted")
    first.get_by_role("button", name="Review the changes").click()
    expect(first.locator(f"#f-{finding.pk}")).to_contain_text(FIX)
    first.locator(f"#f-{finding.pk} summary").click()
    form = first.locator(f"#f-{finding.pk} form")
    form.get_by_label("Met", exact=True).check()
    form.get_by_role("button", name="Save").click()
    expect(first.locator(f"#f-{finding.pk} summary .badge")).to_have_text("Met")
    first.get_by_role("button", name="Approve and issue the trust mark").click()
    expect(first.locator(".messages")).to_contain_text(
        "Four-eyes rule: the auditor who reviewed this audit cannot also approve it."
    )
    expect(first.locator(".card-header .badge")).to_have_text("In review")
    shot(first, "own-approval-refused")

    # A second auditor approves: the trust mark is issued.
    second = new_page()
    sign_in(second, base, second_auditor.email, PASSWORD)
    second.get_by_role("navigation").get_by_role("link", name="Audit queue").click()
    second.get_by_role("link", name=str(audit.pk), exact=True).click()
    second.get_by_label("Note (optional)").fill("Imprint fixed; all criteria met.")
    second.get_by_role("button", name="Approve and issue the trust mark").click()
    expect(second.locator(".card-header .badge")).to_have_text("Approved")
    audit.refresh_from_db()
    assert audit.state == AuditState.APPROVED
    mark = audit.mark
    expect(second.locator("dl.facts")).to_contain_text(mark.number)
    shot(second, "approved")

    # The owner sees the mark, downloads the verification document and copies the badge.
    owner.goto(links[-1])
    expect(owner.get_by_role("heading", name="Approved")).to_be_visible()
    expect(owner.get_by_text(f"Trust mark {mark.number} is valid.")).to_be_visible()
    owner.get_by_role("link", name=shop.name).first.click()
    card = owner.locator("#trust-mark")
    expect(card.get_by_role("heading", name=f"Trust mark {mark.number}")).to_be_visible()
    expect(card.locator(".card-header .badge")).to_have_text("Valid")
    documents = owner.locator("#documents li")
    expect(documents).to_have_count(2)  # the findings, then the decision
    shot(owner, "shop-with-mark")
    with owner.expect_download() as download_info:
        owner.locator("#documents").get_by_role("link", name="Version 2").click()
    download = download_info.value
    assert download.suggested_filename == f"trustmark-{shop.domain}-v2.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    owner.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    snippet_field = owner.get_by_label("Copy this snippet into your shop's pages")
    snippet_field.focus()
    owner.keyboard.press("Control+A")
    owner.keyboard.press("Control+C")
    snippet = owner.evaluate("navigator.clipboard.readText()")
    assert snippet == snippet_field.input_value()
    href = re.search(r'href="([^"]+)"', snippet)
    assert href, snippet
    assert href.group(1).endswith(f"/verify/{mark.number}/")
    assert f'src="{base}/badge/{shop.public_id}.svg"' in snippet

    # A visitor of the shop's site sees the badge and follows it: the shop is valid.
    visitor = new_page()
    visitor.set_content(f"<!DOCTYPE html><title>{shop.name}</title><p>Our shop</p>{snippet}")
    badge = visitor.get_by_role("img", name="Trustmark")
    expect(badge).to_be_visible()
    assert visitor.evaluate("document.images[0].naturalWidth") > 0, "the badge did not load"
    with visitor.context.expect_page() as popup_info:
        badge.click()
    verdict = popup_info.value
    verdict.wait_for_load_state()
    expect(
        verdict.get_by_role("heading", name=f"{shop.domain} is a certified Trustmark member")
    ).to_be_visible()
    shot(verdict, "visitor-verify-valid")
    assert any(mark.number in m.body for m in mail.outbox if world.alice.email in m.to)
