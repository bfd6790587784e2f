"""Reviews through the browser: a buyer follows an invitation and rates the shop and an item;
the owner answers one review and reports another; a moderator removes it; the profile follows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from reviews.models import Review, ReviewState
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD, staff_user
from tests.reviews.helpers import invitation, line, product, review, reviews_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_buyer_reviews_the_owner_answers_and_reports_and_a_moderator_decides(
    new_page, shot, live_server, world, active_mark
):
    base = live_server.url
    shop = world.shop
    reviews_on(shop)
    moderator = staff_user(Role.MODERATOR, email="moritz@trustmark.example")
    rude = review(shop, service=1, comment="The clerk Jana Beispiel is an idiot.")
    inv = invitation(shop, name="Bea Lang")
    line(inv, product(shop, "MUG-1", name="Stoneware mug"))

    # The buyer follows the invitation: the shop on two criteria, then the mug.
    buyer = new_page()
    buyer.goto(base + reverse("review_buyer:invitation", args=[inv.token]))
    buyer.get_by_role("group", name="Service").get_by_text("5 stars").click()
    buyer.get_by_role("group", name="Delivery").get_by_text("4 stars").click()
    buyer.get_by_label("Your experience").fill("Friendly answers, parcel a day late.")
    shot(buyer, "shop-form")
    buyer.get_by_role("button", name="Publish my review").click()
    expect(buyer.get_by_role("heading", name="What do you think of Stoneware mug?")).to_be_visible()
    buyer.get_by_role("group", name="Your rating").get_by_text("4 stars").click()
    buyer.get_by_label("Your review of this item").fill("Keeps tea warm.")
    buyer.get_by_role("button", name="Publish this review").click()
    expect(buyer.get_by_role("heading", name=f"Your review of {shop.name}")).to_be_visible()
    expect(buyer.get_by_role("definition").filter(has_text="parcel a day late")).to_be_visible()
    shot(buyer, "author-page")
    written = Review.objects.get(invitation=inv, subject="shop")
    assert written.ratings == {"service": 5, "delivery": 4}
    assert Review.objects.get(invitation=inv, subject="product").stars == 4

    # Anyone sees it on the profile: (1 + 5 + 4) / 3 = 3.33, Fair.
    visitor = new_page()
    profile = base + reverse("reviews:profile", args=[shop.public_id])
    visitor.goto(profile)
    expect(visitor.get_by_text("Friendly answers, parcel a day late.")).to_be_visible()
    expect(visitor.get_by_text("3.33", exact=True)).to_be_visible()
    expect(visitor.get_by_text("Fair", exact=True)).to_be_visible()

    # The owner answers it publicly and reports the insulting one.
    owner = new_page()
    sign_in(owner, base, world.alice.email, PASSWORD)
    owner.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    owner.goto(base + reverse("review_portal:review", args=[written.pk]))
    owner.get_by_role("textbox", name="Your public answer").fill(
        "Thank you, Bea! We spoke to the courier."
    )
    owner.get_by_role("button", name="Publish the answer").click()
    expect(owner.get_by_text("Thank you, Bea! We spoke to the courier.").first).to_be_visible()
    owner.goto(base + reverse("review_portal:review", args=[rude.pk]))
    owner.get_by_role("link", name="Report this review").click()
    owner.get_by_label("Reason").select_option("personal_data")
    owner.get_by_label("What is wrong with this review?").fill("It names our employee.")
    owner.get_by_label("I declare in good faith").check()
    shot(owner, "report-form")
    owner.get_by_role("button", name="Report the review").click()
    rude.refresh_from_db()
    assert rude.state == ReviewState.REPORTED
    assert rude.hidden  # personal data: hidden at once while checked

    # The moderator removes it; the profile shows why in its place.
    staff = new_page()
    sign_in(staff, base, moderator.email, PASSWORD)
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    report = rude.reports.get()
    staff.goto(base + reverse("moderation:report_detail", args=[report.pk]))
    staff.get_by_role("radio", name="The review is removed", exact=True).check()
    staff.get_by_label("Reason (both sides read it)").fill("It names a member of staff.")
    staff.get_by_label("Shown in place of a removed review").fill("Removed: it named a person.")
    shot(staff, "decision")
    staff.get_by_role("button", name="Decide and tell both sides").click()
    rude.refresh_from_db()
    assert rude.state == ReviewState.REMOVED

    visitor.goto(profile)
    expect(visitor.get_by_text("Removed: it named a person.")).to_be_visible()
    expect(visitor.get_by_text("Thank you, Bea! We spoke to the courier.")).to_be_visible()
    expect(visitor.get_by_text("4.50", exact=True)).to_be_visible()  # (5 + 4) / 2
    shot(visitor, "profile")
