"""The audit journey's pages in French and German: no English interface text is left.

The audit states are set up through audits.services for speed; the browser only switches
the language with the footer's language form (for a signed-in person it becomes their
profile's language; for a visitor, a cookie) and reads the pages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from audits import services
from audits.models import Audit, FindingResult
from tests.e2e.helpers import record_findings, sign_in
from tests.factories import PASSWORD, ShopFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UNMET = "IDENT-04"
CHROME = [  # the layout around every signed-in page
    "Dashboard",
    "Sign out",
    "trust-mark certification and buyer protection",
]


def _in_review(shop: Any, owner: Any, auditor: Any) -> Audit:
    """An audit in review: every criterion met but one major criterion not met."""
    audit = services.request_audit(shop=shop, actor=owner)
    services.assign_audit(audit=audit, actor=auditor, auditor=auditor)
    services.start_review(audit=audit, actor=auditor)
    record_findings(audit, auditor, skip=(UNMET,))
    unmet = audit.findings.get(criterion__code=UNMET)
    services.record_finding(finding=unmet, actor=auditor, result=FindingResult.NOT_MET)
    return audit


def _has_phrase(text: str, phrase: str) -> bool:
    """The phrase as whole words: German "Filtern" does not leave "Filter" behind."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _switch_language(page: Any, code: str) -> None:
    """The footer's language form, on the page in view."""
    form = page.locator("form.language-switch")
    form.locator("select").select_option(code)
    form.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_the_audit_journeys_pages_speak_french_and_german(
    new_page, shot, live_server, world, auditor
):
    base = live_server.url
    second_auditor = staff_user(Role.AUDITOR, email="second.auditor@trustmark.example")
    alice = world.alice

    # Shop A: approved after one round of findings (two documents, a valid mark).
    approved = _in_review(world.shop, alice, auditor)
    services.send_findings(audit=approved, actor=auditor)
    unmet = approved.findings.get(criterion__code=UNMET)
    services.resubmit(audit=approved, actor=alice, answers={unmet.pk: "Imprint fixed."})
    services.resume_review(audit=approved, actor=auditor)
    services.record_finding(finding=unmet, actor=auditor, result=FindingResult.MET)
    approved = services.approve(audit=approved, actor=second_auditor)
    # Shop B: findings sent, waiting for the owner. Shop C: in review.
    waiting = _in_review(world.other_shop, alice, auditor)
    services.send_findings(audit=waiting, actor=auditor)
    in_review = _in_review(ShopFactory(member=world.member), alice, auditor)

    owner_pages = {
        "shop-with-mark": (
            reverse("portal:shop_detail", args=[world.shop.public_id]),
            [
                *CHROME,
                "Your access",
                "Guarantee cases: yes",
                "Valid from",
                "Valid until",
                "Public page",
                "Badge for your shop",
                "Copy this snippet into your shop's pages",
                "The badge always shows the live status of your mark",
                "Buyer protection at checkout",
                "Rotate the secret",
                "No API key yet.",
                "Create a key",
                "Apply for the trust mark",
                "Verification documents",
            ],
        ),
        "what-to-fix": (
            reverse("audits:merchant_audit", args=[waiting.pk]),
            [
                *CHROME,
                "Audit of",
                "Findings sent",
                "What to fix",
                "The auditor found points to improve",
                "What to improve and why:",
                "What you changed",
                "Resubmit for review",
                "Result per criterion",
                "Trade register, VAT number and regulatory details",
                "Not met",
                "Withdraw the application",
                "Requested",
                "Review started",
            ],
        ),
        "audit-approved": (
            reverse("audits:merchant_audit", args=[approved.pk]),
            [
                *CHROME,
                "Your shop meets the quality criteria",
                "Result per criterion",
                "Resubmitted",
                "Review resumed",
            ],
        ),
    }
    auditor_pages = {
        "queue": (
            reverse("audits:queue"),
            [
                *CHROME,
                "Audit queue",
                "Open audits",
                "Assigned to me",
                "Overdue",
                "Fix-by date today",
                "Filter",
                "Unchecked",
                "In review",
                "Findings sent",
            ],
        ),
        "workspace-in-review": (
            reverse("audits:workspace", args=[in_review.pk]),
            [
                *CHROME,
                "Next step",
                "Send the findings to the merchant",
                "Not approvable: blocking or major criteria are not met",
                "Note (optional)",
                "Approve and issue the trust mark",
                "Four-eyes rule: a second auditor approves.",
                "Reason for refusal",
                "Checklist",
                "Auditor's note",
                "Advice to the merchant",
                "Why not applicable",
                "Evidence link",
                "Not applicable",
                "No document yet.",
            ],
        ),
        "workspace-waiting": (
            reverse("audits:workspace", args=[waiting.pk]),
            [
                *CHROME,
                "Nothing to do: the audit is closed or waiting for the merchant.",
                "Fix by",
                "Advice:",
            ],
        ),
    }
    visitor_pages = {
        "verify": (
            reverse("verify_mark", args=[approved.mark.number]),
            [
                "is a certified Trustmark member",
                "This trust mark is valid until",
                "Register a purchase",
                "Operated by",
                "Member since",
                "Last audit",
                "This page is on Trustmark's own domain",
            ],
        ),
    }

    leftovers: dict[str, list[str]] = {}
    people = [
        (alice.email, owner_pages),
        (auditor.email, auditor_pages),
        (None, visitor_pages),
    ]
    for email, pages in people:
        page = new_page()
        if email:
            sign_in(page, base, email, PASSWORD)
        for language in ("en", "fr", "de"):
            first_path = next(iter(pages.values()))[0]
            page.goto(base + first_path)
            if language != "en":
                _switch_language(page, language)
            for name, (path, english) in pages.items():
                response = page.goto(base + path)
                assert response is not None
                assert response.status == 200, f"{path} answered {response.status}"
                expect(page.locator("html")).to_have_attribute("lang", language)
                # The DOM's text, not the rendered one: CSS upper-cases table headings, and
                # hidden labels and select options must be translated too.
                text = " ".join((page.locator("body").text_content() or "").split())
                if language == "en":  # the list is honest: each string is on the page
                    missing = [s for s in english if s not in text]
                    assert not missing, f"{name}: not on the English page: {missing}"
                    continue
                left = [s for s in english if _has_phrase(text, s)]
                if left:
                    leftovers[f"{language} {name} ({path})"] = left
                if name in {"what-to-fix", "workspace-in-review", "verify"}:
                    shot(page, f"{language}-{name}")
    assert not leftovers, "English text on translated pages:\n" + "\n".join(
        f"  {where}: {strings}" for where, strings in leftovers.items()
    )
