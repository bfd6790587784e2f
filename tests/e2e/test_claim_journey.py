"""Buyer protection and a claim in the browser: checkout link, claim, answer, mediation, payout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from certification.models import MembershipPlan
from disputes import payouts, services
from disputes.access import CaseActor, buyer_of
from disputes.models import Claim, Party
from guarantees.checkout import checkout_url
from guarantees.links import page_token
from guarantees.models import Guarantee
from guarantees.services import register_guarantee
from tests.e2e.helpers import emailed_links, sign_in
from tests.factories import PASSWORD, png_bytes, staff_user
from tests.guarantees.helpers import purchase

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUYER = "ines@example.org"


def _guarantee_link(number: str) -> str:
    """The buyer's guarantee page, as the latest email to the buyer links it."""
    links = [link for link in emailed_links(BUYER) if "/protection/g/" in link]
    assert links, f"no email to {BUYER} links the guarantee page of {number}"
    return links[-1]


def test_a_buyer_is_protected_files_a_claim_and_is_paid_after_mediation(
    new_page, shot, live_server, world, active_mark, admin_user, mediator, settings
):
    settings.PAYOUT_FOUR_EYES_ABOVE = Decimal("100")
    second_mediator = staff_user(Role.MEDIATOR, email="mediator2@trustmark.example")
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    base = live_server.url

    # The shop's order confirmation links the buyer to the signed checkout page.
    link = checkout_url(
        shop=world.shop,
        order="ORD-E2E-1",
        amount="240.00",
        currency="EUR",
        email=BUYER,
        purchase_date=date.today(),
    )
    buyer = new_page()
    buyer.goto(link)
    expect(buyer.get_by_role("heading", name="Protect your purchase")).to_be_visible()
    expect(buyer.locator("dl.facts")).to_contain_text("ORD-E2E-1")
    expect(buyer.locator("dl.facts")).to_contain_text("240.00 EUR")
    shot(buyer, "checkout")
    buyer.locator("input[name=plan][value=plus]").check()
    buyer.get_by_label("Your name (optional)").fill("Inès Buyer")
    buyer.get_by_label("I accept the Trustmark buyer protection terms.").check()
    buyer.get_by_role("button", name="Register the guarantee").click()

    guarantee = Guarantee.objects.get()
    expect(buyer.get_by_role("heading", name=f"Guarantee {guarantee.number}")).to_be_visible()
    expect(buyer.locator(".messages")).to_contain_text("Your purchase is protected")
    facts = buyer.locator("dl.facts")
    expect(facts).to_contain_text("Plus")
    expect(facts.locator("dt:has-text('Amount covered') + dd")).to_have_text("240.00 EUR")
    shot(buyer, "guarantee")
    guarantee_page = buyer.url
    assert _guarantee_link(guarantee.number) == guarantee_page  # the confirmation email

    # Nothing arrives: the buyer files a claim with a photo of the receipt.
    buyer.get_by_role("link", name="File a claim").click()
    expect(buyer.get_by_role("heading", name="File a claim")).to_be_visible()
    expect(buyer.get_by_text("You can claim up to 240.00 EUR.")).to_be_visible()
    buyer.get_by_role("radio", name="Goods not delivered").check()
    buyer.get_by_label("Amount claimed").fill("240.00")
    buyer.get_by_label("What happened, and what do you expect?").fill(
        "Nothing arrived in three weeks; the parcel tracking never moved."
    )
    buyer.locator("input[name=files]").set_input_files(
        files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    shot(buyer, "claim-form")
    buyer.get_by_role("button", name="File the claim").click()

    claim = Claim.objects.get()
    expect(buyer.get_by_role("heading", name=f"Claim {claim.number}")).to_be_visible()
    expect(buyer.locator(".card-header .badge")).to_have_text("Waiting for the shop")
    expect(buyer.get_by_role("link", name="receipt.png")).to_be_visible()
    shot(buyer, "claim-filed")

    # The shop's employee answers from the portal: the claim is disputed.
    shop = new_page()
    sign_in(shop, base, world.bob.email, PASSWORD)
    shop.get_by_role("navigation").get_by_role("link", name="Claims").click()
    expect(shop.get_by_role("heading", name="Claims")).to_be_visible()
    shop.get_by_role("link", name=claim.number).click()
    expect(shop.get_by_role("heading", name=f"Claim {claim.number}")).to_be_visible()
    answer = shop.locator("#action-answer")
    answer.get_by_role("radio", name="Disputed").check()
    answer.get_by_label("Explanation").fill("Delivered to the parcel locker on the 3rd.")
    shot(shop, "shop-answers")
    answer.get_by_role("button", name="Send the answer").click()
    expect(shop.locator(".card-header .badge")).to_have_text("The shop answered")
    expect(shop.locator('dl.facts dt:has-text("Shop\'s answer") + dd')).to_have_text("Disputed")

    # The buyer follows the emailed link back to the case and rejects the answer.
    buyer.goto(_guarantee_link(guarantee.number))
    buyer.get_by_role("link", name=claim.number).click()
    expect(buyer.locator(".card-header .badge")).to_have_text("The shop answered")
    expect(buyer.get_by_text("Delivered to the parcel locker on the 3rd.")).to_be_visible()
    reject = buyer.locator("#action-reject")
    reject.get_by_label("Explanation").fill("The locker was empty when I opened it.")
    reject.get_by_role("button", name="Reject: ask Trustmark to mediate").click()
    expect(buyer.locator(".card-header .badge")).to_have_text("In mediation")
    shot(buyer, "buyer-rejected")

    # The mediator decides for the buyer; above the limit he may not approve his own payout.
    first = new_page()
    sign_in(first, base, mediator.email, PASSWORD)
    first.get_by_role("navigation").get_by_role("link", name="Mediation").click()
    expect(first.get_by_role("heading", name="Mediation queue")).to_be_visible()
    first.get_by_role("link", name=claim.number).click()
    decide = first.locator("#action-decide")
    decide.get_by_role("radio", name="For the buyer").check()
    decide.get_by_label("Reason").fill("The shop shows no proof of delivery.")
    decide.get_by_role("button", name="Record the decision").click()
    expect(first.locator(".card-header .badge")).to_have_text("Decided for the buyer")
    payout = first.locator("section.card:has(h2:text-is('Payout'))")
    expect(payout).to_contain_text("240.00 EUR")
    expect(payout).to_contain_text("Proposed")
    expect(payout).to_contain_text("Above 100 EUR a second staff member approves.")
    first.locator("#action-approve_payout").get_by_role("button", name="Approve").click()
    expect(first.locator("#action-approve_payout [role=alert]")).to_contain_text(
        "Above 100 EUR a second staff member must approve the payout."
    )
    shot(first, "own-approval-refused")

    # A second mediator approves and records the transfer.
    second = new_page()
    sign_in(second, base, second_mediator.email, PASSWORD)
    second.get_by_role("navigation").get_by_role("link", name="Mediation").click()
    second.get_by_role("link", name=claim.number).click()
    second.locator("#action-approve_payout").get_by_role("button", name="Approve").click()
    payout = second.locator("section.card:has(h2:text-is('Payout'))")
    expect(payout).to_contain_text("Approved")
    expect(payout).to_contain_text(second_mediator.email)
    pay = second.locator("#action-pay")
    pay.get_by_label("Payment reference").fill("SEPA-E2E-240")
    pay.get_by_role("button", name="Mark as paid").click()
    expect(second.locator(".card-header .badge")).to_have_text("Closed")
    expect(payout).to_contain_text("Paid")
    shot(second, "paid")

    # The buyer sees the case closed and the payout paid.
    buyer.goto(_guarantee_link(guarantee.number))
    buyer.get_by_role("link", name=claim.number).click()
    expect(buyer.locator(".card-header .badge")).to_have_text("Closed")
    payout = buyer.locator("section.card:has(h2:text-is('Payout'))")
    expect(payout).to_contain_text("240.00 EUR")
    expect(payout).to_contain_text("Paid")
    expect(payout).to_contain_text("SEPA-E2E-240")
    expect(buyer.locator("#action-message")).to_have_count(0)
    shot(buyer, "buyer-closed")
    paid = [m.body for m in mail.outbox if BUYER in m.to and "we have paid you" in m.body]
    assert paid, "the buyer got no email about the payout"
    assert "240.00 EUR" in paid[-1]


def test_a_paid_case_still_says_it_was_decided_for_the_buyer(
    new_page, shot, live_server, world, active_mark, mediator
):
    guarantee = register_guarantee(
        shop=world.shop,
        purchase=purchase(order_reference="ORD-E2E-2", amount="80.00", buyer_email=BUYER),
        channel="api",
    )
    buyer, staff = buyer_of(guarantee), CaseActor(user=mediator, party=Party.STAFF)
    claim = services.file_claim(
        actor=buyer, guarantee=guarantee, reason="not_delivered", amount="80.00", description="-"
    )
    shop = CaseActor(user=world.bob, party=Party.SHOP)
    services.answer_claim(actor=shop, claim=claim, answer="disputed", text="Sent.")
    services.reject_answer(actor=buyer, claim=claim, reason="Nothing came.")
    claim = services.decide_claim(actor=staff, claim=claim, for_buyer=True, reason="No proof.")
    payouts.approve_payout(actor=staff, payout=claim.payout)  # below the four-eyes limit
    payouts.mark_paid(actor=staff, payout=claim.payout, reference="SEPA-E2E-80")

    page = new_page()
    page.goto(
        live_server.url + reverse("claims:case", args=[page_token(guarantee.number), claim.number])
    )
    expect(page.locator(".card-header .badge")).to_have_text("Closed")
    shot(page, "closed-case")
    expect(page.locator("dl.facts dt:text-is('Decision') + dd")).to_contain_text(
        "Decided for the buyer: 80.00 EUR", timeout=1000
    )
