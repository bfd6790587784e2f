"""Verification and suspension, through the browser: the public verdict follows the mark at once."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD, ShopFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CERTIFIED = "is a certified Trustmark member"
SUSPENDED = "NOT VALID — this trust mark is suspended"
UNKNOWN = "Warning: we know no Trustmark membership for this"


def test_visitors_are_warned_and_a_suspension_turns_badge_and_page_not_valid_at_once(
    new_page, shot, live_server, world, active_mark, admin_user
):
    base = live_server.url
    shop, mark = world.shop, active_mark
    badge_url = f"{base}/badge/{shop.public_id}.svg"
    verify_url = f"{base}/verify/{mark.number}/"

    # A visitor checks a domain and a mark number we never certified.
    visitor = new_page()
    visitor.goto(f"{base}/verify/")
    visitor.get_by_label("Check a shop by its domain").fill("unknown.example")
    visitor.get_by_role("button", name="Verify").click()
    expect(visitor.get_by_role("heading", name=UNKNOWN)).to_be_visible()
    expect(visitor.locator(".verdict")).to_contain_text("“unknown.example” is not a trust mark")
    shot(visitor, "unknown-domain")
    response = visitor.goto(f"{base}/verify/TM-2020-999999/")
    assert response is not None
    assert response.status == 404
    expect(visitor.get_by_role("heading", name=UNKNOWN)).to_be_visible()
    expect(visitor.locator(".verdict")).to_contain_text("the badge may be fake")

    # The certified shop: its domain leads to a valid verdict and a valid badge.
    visitor.goto(f"{base}/verify/?domain={shop.domain}")
    assert visitor.url == verify_url
    expect(visitor.get_by_role("heading", name=CERTIFIED)).to_be_visible()
    shot(visitor, "verify-valid")
    visitor.goto(badge_url)
    with translation.override(shop.language):  # the badge speaks the shop's language
        valid_badge = gettext("Trustmark: certified shop %(domain)s") % {"domain": shop.domain}
        not_verified_badge = gettext("Trustmark: not verified")
    expect(visitor.locator("svg")).to_have_attribute("aria-label", valid_badge)
    shot(visitor.locator("svg"), "badge-valid")

    # An administrator suspends the mark from the portal's trust mark pages.
    admin = new_page()
    sign_in(admin, base, admin_user.email, PASSWORD)
    admin.get_by_role("navigation").get_by_role("link", name="Trust marks").click()
    expect(admin.get_by_role("heading", name="Trust marks")).to_be_visible()
    admin.get_by_role("link", name=mark.number).click()
    expect(admin.get_by_role("heading", name=mark.number)).to_be_visible()
    expect(admin.locator(".card-header .badge")).to_have_text("Valid")
    suspend = admin.locator("form", has=admin.get_by_role("button", name="Suspend the mark"))
    suspend.get_by_label("Reason").select_option(label="Unanswered buyer claims")
    suspend.get_by_label("Note").fill("Three claims left unanswered for a month.")
    shot(admin, "suspend-form")
    suspend.get_by_role("button", name="Suspend the mark").click()
    suspended_at = time.monotonic()
    expect(admin.locator(".messages")).to_contain_text("The mark is suspended.")
    expect(admin.locator(".card-header .badge")).to_have_text("Suspended")
    expect(admin.locator("dl.facts")).to_contain_text("Unanswered buyer claims")
    shot(admin, "mark-suspended")

    # Within a second, the server answers "not valid" everywhere (poll for up to 2 s).
    api = visitor.context.request
    while True:
        badge = api.get(badge_url).text()
        page = api.get(verify_url).text()
        if not_verified_badge in badge and SUSPENDED in page:
            break
        assert time.monotonic() - suspended_at < 2, "badge or page still valid after 2 s"
        time.sleep(0.1)

    visitor.goto(verify_url)
    expect(visitor.get_by_role("heading", name=SUSPENDED)).to_be_visible()
    expect(visitor.get_by_text("New purchases from this shop are not covered")).to_be_visible()
    expect(visitor.get_by_role("link", name="Register a purchase")).to_have_count(0)
    shot(visitor, "verify-suspended")
    fresh = new_page()  # a browser that has not cached the valid badge (max-age applies)
    fresh.goto(badge_url)
    expect(fresh.locator("svg")).to_have_attribute("aria-label", not_verified_badge)
    shot(fresh.locator("svg"), "badge-not-verified")

    owner_mails = [m for m in mail.outbox if world.alice.email in m.to]
    assert any(mark.number in m.body for m in owner_mails), "the owner was not told"


def test_the_not_verified_badge_fits_its_image_in_every_language(new_page, shot, live_server):
    page = new_page()
    overflowing = {}
    for language in ("en", "fr", "de"):
        shop = ShopFactory(language=language)  # no trust mark: the badge says "not verified"
        page.goto(f"{live_server.url}/badge/{shop.public_id}.svg")
        shot(page.locator("svg"), f"badge-not-verified-{language}")
        boxes = page.eval_on_selector_all(
            "text",
            "els => els.map(e => { const b = e.getBBox();"
            " return [e.textContent, b.x, b.x + b.width]; })",
        )
        cut = [text for text, left, right in boxes if left < 0 or right > 180]
        if cut:
            overflowing[language] = cut
    assert not overflowing, f"badge text cut off: {overflowing}"
