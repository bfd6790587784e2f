"""A shop's review settings in the portal: who may open them, saving, errors on bad values."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from reviews.models import ReviewSettings
from tests.factories import staff_user
from tests.reviews.helpers import reviews_on

GOOD = {
    "action": "settings",
    "enabled": "on",
    "allow_open_link": "on",
    "invite_delay_days": "10",
    "reminder_days": "5",
    "logo_url": "https://nordlicht.example/logo.png",
}


@pytest.fixture
def url(world):
    reviews_on(world.shop)
    return reverse("review_portal:settings", args=[world.shop.public_id])


def test_owner_saves_the_settings(client, world, url):
    client.force_login(world.alice)
    assert client.get(url).status_code == 200
    response = client.post(url, GOOD)
    assert response.status_code == 302
    row = ReviewSettings.objects.get(shop=world.shop)
    assert row.enabled is True
    assert row.allow_open_link is True
    assert row.invite_after_guarantee is False  # unticked
    assert row.invite_delay_days == 10
    assert row.reminder_days == 5
    assert row.logo_url == "https://nordlicht.example/logo.png"
    event = row.events.select_related("pgh_context").order_by("-pgh_id").first()
    assert event.pgh_context.metadata["action"] == "review_settings_changed"
    assert event.pgh_context.metadata["user_email"] == world.alice.email


def test_empty_reminder_means_no_reminder(client, world, url):
    client.force_login(world.alice)
    client.post(url, {**GOOD, "reminder_days": ""})
    assert ReviewSettings.objects.get(shop=world.shop).reminder_days is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invite_delay_days", "91"),
        ("invite_delay_days", "-1"),
        ("invite_delay_days", "soon"),
        ("reminder_days", "0"),
        ("reminder_days", "31"),
        ("logo_url", "javascript:alert(1)"),
        ("logo_url", "http://nordlicht.example/logo.png"),
    ],
)
def test_bad_values_are_form_errors_and_nothing_changes(client, world, url, field, value):
    client.force_login(world.alice)
    response = client.post(url, {**GOOD, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    row = ReviewSettings.objects.get(shop=world.shop)
    assert row.invite_delay_days == 7
    assert row.allow_open_link is False


def test_employee_with_the_reviews_right_may_edit(client, world, url):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.REVIEWS, world.shop.pk)},
    )
    client.force_login(world.bob)
    assert client.post(url, GOOD).status_code == 302
    assert ReviewSettings.objects.get(shop=world.shop).invite_delay_days == 10
    # the right on one shop does not open the member's other shop
    other = reverse("review_portal:settings", args=[world.other_shop.public_id])
    assert client.get(other).status_code == 404


def test_employee_without_the_right_and_outsider_get_404(client, world, url):
    for person in (world.bob, world.charlie):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, GOOD).status_code == 404
    assert ReviewSettings.objects.get(shop=world.shop).invite_delay_days == 7


def test_staff_administrator_may_edit(client, world, url):
    client.force_login(staff_user(Role.ADMINISTRATOR))
    assert client.post(url, GOOD).status_code == 302
    assert ReviewSettings.objects.get(shop=world.shop).invite_delay_days == 10


def test_settings_list_shows_only_the_shops_with_the_right(client, world):
    client.force_login(world.alice)
    text = client.get(reverse("review_portal:shops")).text
    assert world.shop.display_domain in text
    assert world.other_shop.display_domain in text
    assert world.charlie_shop.display_domain not in text


def test_review_moderator_reads_reviews_but_not_the_member_settings(client, world, url):
    moderator = staff_user(Role.MODERATOR)
    client.force_login(moderator)
    assert client.get(url).status_code == 404
    assert client.post(url, GOOD).status_code == 404
    assert ReviewSettings.objects.get(shop=world.shop).invite_delay_days == 7
    assert client.get(reverse("review_portal:list")).status_code == 200
    assert client.get(reverse("review_portal:alerts")).status_code == 403  # alerts are members'
