"""The portal review page: who may open it, the public answer, the private message."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from accounts.roles import Role
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from notifications.models import OutgoingMessage
from reviews import moderation
from reviews.models import Decision, ReportReason, ShopMessage
from tests.factories import staff_user
from tests.reviews.helpers import review, reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.fixture
def reviewer(world, shop):
    """bob, the employee, with the reviews right on the shop (besides his cases right)."""
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, shop.pk), Right(Area.REVIEWS, shop.pk)},
    )
    return world.bob


def page(client, user, pk):
    client.force_login(user)
    return client.get(reverse("review_portal:review", args=[pk]))


def test_owner_and_employee_with_the_reviews_right_open_the_review(client, world, shop, reviewer):
    done = review(shop, service=2, comment="Parcel arrived late.", name="Dora Weiss")
    for person in (world.alice, reviewer):
        response = page(client, person, done.pk)
        assert response.status_code == 200
        assert "Parcel arrived late." in response.text
        assert "Dora W." in response.text


def test_employee_without_the_reviews_right_and_outsider_get_404(client, world, shop):
    done = review(shop, service=4)
    assert page(client, world.bob, done.pk).status_code == 404  # bob holds only cases
    assert page(client, world.charlie, done.pk).status_code == 404
    client.logout()
    response = client.get(reverse("review_portal:review", args=[done.pk]))
    assert response.status_code == 302


def test_the_author_email_is_never_on_the_page(client, world, shop):
    done = review(shop, service=1, comment="Never again.")
    assert done.author_email
    response = page(client, world.alice, done.pk)
    assert done.author_email not in response.text


def test_reply_once_then_edit_keeps_the_earlier_version_in_the_history(client, world, shop):
    done = review(shop, service=2, comment="Slow.")
    client.force_login(world.alice)
    url = reverse("review_portal:reply", args=[done.pk])
    response = client.post(url, {"text": "Sorry, the carrier was on strike."})
    assert response.status_code == 302
    response = client.post(url, {"text": "Sorry: the carrier was on strike; we refunded postage."})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.reply == "Sorry: the carrier was on strike; we refunded postage."
    assert done.replied_at is not None
    assert done.reply_edited_at is not None
    text = page(client, world.alice, done.pk).text
    assert "1 earlier version" in text
    assert "Sorry, the carrier was on strike." in text  # the first answer, from the history
    assert "Answered by the shop" in text
    assert "Answer edited by the shop" in text
    # the author heard of the first answer only
    to_author = OutgoingMessage.objects.filter(
        to_email=done.author_email, template="review_changed"
    )
    assert sum("answered your review" in m.subject for m in to_author) == 1


def test_an_empty_reply_is_a_form_error(client, world, shop):
    done = review(shop, service=2)
    client.force_login(world.alice)
    response = client.post(reverse("review_portal:reply", args=[done.pk]), {"text": "   "})
    assert response.status_code == 400
    done.refresh_from_db()
    assert done.reply == ""


def test_outsider_cannot_reply_or_message(client, world, shop):
    done = review(shop, service=2)
    client.force_login(world.charlie)
    assert (
        client.post(reverse("review_portal:reply", args=[done.pk]), {"text": "x"}).status_code
        == 404
    )
    assert (
        client.post(reverse("review_portal:message", args=[done.pk]), {"text": "x"}).status_code
        == 404
    )
    assert not ShopMessage.objects.exists()


def test_private_message_reaches_the_author_by_email_and_not_the_page(
    client, world, shop, django_capture_on_commit_callbacks
):
    done = review(shop, service=1, comment="Broken on arrival.")
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review_portal:message", args=[done.pk]),
            {"text": "Please send us your order number, we will replace it."},
        )
    assert response.status_code == 302
    queued = OutgoingMessage.objects.get(to_email=done.author_email, subject__contains="wrote to")
    assert "Please send us your order number, we will replace it." in queued.body_text
    assert "does not see your email address" in queued.body_text
    sent = [m for m in mail.outbox if m.to == [done.author_email] and "wrote to" in m.subject]
    assert len(sent) == 1
    text = page(client, world.alice, done.pk).text
    assert "Please send us your order number" not in text  # private: not on the portal page
    assert "Private message sent to the author" in text  # but recorded in the history
    assert "alice@nordlicht.example" in text


def test_private_messages_are_limited_to_one_a_day(client, world, shop):
    done = review(shop, service=1)
    client.force_login(world.alice)
    url = reverse("review_portal:message", args=[done.pk])
    assert client.post(url, {"text": "First message."}).status_code == 302
    response = client.post(url, {"text": "Second message."})
    assert response.status_code == 400
    assert "again after" in response.text
    assert ShopMessage.objects.filter(review=done).count() == 1
    with freeze_time(done.published_at + timedelta(days=1, hours=1)):
        assert client.post(url, {"text": "Next day."}).status_code == 302
    assert ShopMessage.objects.filter(review=done).count() == 2


def test_the_shop_finds_the_report_link_then_the_contest_link_after_a_decision_it_lost(
    client, world, shop
):
    done = review(shop, service=1, comment="You are all crooks.")
    client.force_login(world.alice)
    text = page(client, world.alice, done.pk).text
    assert reverse("moderation:report", args=[done.pk]) in text
    report = moderation.report_review(
        review=done,
        reporter=world.alice,
        reason=ReportReason.FALSE_FACT,
        text="We are not crooks.",
        good_faith=True,
    )
    text = page(client, world.alice, done.pk).text
    assert reverse("moderation:report", args=[done.pk]) not in text  # already being checked
    assert "False statement of fact" in text
    assert "Reported" in text  # in the history
    moderation.decide(
        report=report,
        actor=staff_user(Role.MODERATOR),
        decision=Decision.STAYS,
        reason="An opinion, not a statement of fact.",
    )
    text = page(client, world.alice, done.pk).text
    assert reverse("moderation:contest", args=[report.pk]) in text
    # staff reading the page do not get the shop's report and contest links
    text = page(client, staff_user(Role.MODERATOR, email="mod2@trustmark.example"), done.pk).text
    assert reverse("moderation:contest", args=[report.pk]) not in text


def test_a_moderator_reads_the_review_but_neither_answers_nor_writes_for_the_shop(client, shop):
    done = review(shop, service=1, comment="Awful.")
    moderator = staff_user(Role.MODERATOR)
    response = page(client, moderator, done.pk)
    assert response.status_code == 200
    assert "Awful." in response.text
    assert reverse("review_portal:reply", args=[done.pk]) not in response.text
    response = client.post(reverse("review_portal:reply", args=[done.pk]), {"text": "Hi."})
    assert response.status_code == 400
    response = client.post(reverse("review_portal:message", args=[done.pk]), {"text": "Hi."})
    assert response.status_code == 400
    done.refresh_from_db()
    assert done.reply == ""
    assert not ShopMessage.objects.exists()
