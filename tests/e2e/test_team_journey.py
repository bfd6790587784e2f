"""The team in the browser: an invitation limited to one shop's cases, and what it does not open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from audits import services as audit_services
from tests.e2e.helpers import emailed_links, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DORA = "dora@nordlicht.example"
DORA_PASSWORD = "lantern-harbour-97-quiet"


def test_an_employee_invited_for_one_shops_cases_sees_neither_the_other_shop_nor_audits(
    new_page, shot, live_server, world
):
    base, shop, other = live_server.url, world.shop, world.other_shop
    audit = audit_services.request_audit(shop=shop, actor=world.alice)  # an audit of her shop

    # The owner invites Dora with one right: the guarantee cases of one shop.
    owner = new_page()
    sign_in(owner, base, world.alice.email, PASSWORD)
    owner.get_by_role("navigation").get_by_role("link", name="Team").click()
    expect(owner.get_by_role("heading", name=f"Team of {world.member.legal_name}")).to_be_visible()
    owner.get_by_label("Email address").fill(DORA)
    owner.get_by_label("Name (optional)").fill("Dora Support")
    owner.get_by_label(f"Guarantee cases — {shop.domain}").check()
    shot(owner, "invite")
    owner.get_by_role("button", name="Send the invitation").click()
    expect(owner.locator(".messages")).to_contain_text(f"Invitation sent to {DORA}.")
    invitations = owner.locator(
        "section.card", has=owner.get_by_role("heading", name="Open invitations")
    )
    expect(invitations).to_contain_text(DORA)

    # Dora follows the emailed link, chooses her name and a password, and signs in.
    links = [link for link in emailed_links(DORA) if "/invitations/" in link]
    assert len(links) == 1, f"expected one invitation link for {DORA}, got {links}"
    dora = new_page()
    dora.goto(links[0])
    expect(dora.get_by_role("heading", name=f"Join {world.member.legal_name}")).to_be_visible()
    expect(dora.get_by_text(f"This invitation is for {DORA}.")).to_be_visible()
    dora.get_by_label("Your name").fill("Dora Support")
    dora.get_by_label(re.compile(r"^Password:?$")).fill(DORA_PASSWORD)
    dora.get_by_label("Password again").fill(DORA_PASSWORD)
    shot(dora, "accept")
    dora.get_by_role("button", name="Accept the invitation").click()
    expect(dora.locator(".messages")).to_contain_text(
        f"Welcome to the team of {world.member.legal_name}."
    )
    expect(dora.locator(".messages")).to_contain_text("Sign in with your email and new password.")
    assert User.objects.filter(email=DORA).exists()
    sign_in(dora, base, DORA, DORA_PASSWORD)

    # Her navigation offers claims, no audit queue and no team; her shops list has one shop.
    nav = dora.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Claims")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit queue")).to_have_count(0)
    expect(nav.get_by_role("link", name="Team")).to_have_count(0)
    nav.get_by_role("link", name="Shops").click()
    expect(dora.get_by_role("link", name=shop.name, exact=True)).to_be_visible()
    expect(dora.get_by_text(other.domain)).to_have_count(0)
    expect(dora.get_by_text(other.name, exact=True)).to_have_count(0)
    dora.get_by_role("link", name=shop.name, exact=True).click()
    access = dora.locator("ul.areas")
    expect(access).to_contain_text("Guarantee cases: yes")
    expect(access).to_contain_text("Audits: no")
    expect(dora.locator("#audits")).to_have_count(0)
    expect(dora.get_by_role("button", name="Apply for the trust mark")).to_have_count(0)
    shot(dora, "her-shop")

    # The other shop, the shop's audit and the audit queue: all "not found".
    for path in (
        reverse("portal:shop_detail", args=[other.public_id]),
        reverse("audits:merchant_audit", args=[audit.pk]),
        reverse("audits:queue"),
        reverse("audits:workspace", args=[audit.pk]),
    ):
        response = dora.goto(base + path)
        assert response is not None
        assert response.status == 404, f"{path} answered {response.status} to Dora"
    shot(dora, "not-found")
    response = dora.request.post(base + reverse("audits:apply", args=[shop.public_id]))
    assert response.status in (403, 404)

    # The owner's team page lists Dora with exactly that right.
    owner.reload()
    row = owner.locator("tr", has_text=DORA)
    expect(row).to_contain_text(f"Guarantee cases ({shop.domain})")
    expect(owner.get_by_role("heading", name="Open invitations")).to_have_count(0)
    shot(owner, "team")
