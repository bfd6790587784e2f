"""The buyer's side: registration with double opt-in, the signed guarantee page, the reminder."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from guarantees.links import page_path
from guarantees.models import Guarantee
from guarantees.reminders import send_cover_reminders
from guarantees.services import register_guarantee
from notifications.models import OutgoingMessage
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/protection/(?:confirm|g)/\S+/")


def _form(**changes):
    data = {
        "order_reference": "B-77",
        "amount": "64.50",
        "purchase_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "buyer_email": "Ines@Example.org",
        "buyer_name": "Inès",
        "plan": "basic",
        "accept": "on",
    }
    data.update(changes)
    return data


def _register_path(shop):
    return reverse("guarantees:register", args=[shop.public_id])


def _last_link():
    return LINK.search(mail.outbox[-1].body).group(0).removeprefix("http://127.0.0.1:8000")


def test_the_verification_page_offers_registration(client, certified, active_mark):
    page = client.get(reverse("verify_mark", args=[active_mark.number]))
    assert _register_path(certified) in page.content.decode()


def test_a_buyer_registers_only_after_confirming_by_email(
    client, certified, django_capture_on_commit_callbacks
):
    form = client.get(_register_path(certified))
    assert form.status_code == 200
    assert certified.display_domain in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(_register_path(certified), _form())
    assert sent.status_code == 200
    assert "ines@example.org" in sent.content.decode()
    assert not Guarantee.objects.exists()
    assert mail.outbox[-1].to == ["ines@example.org"]
    confirm = _last_link()
    assert "/protection/confirm/" in confirm

    shown = client.get(confirm)
    assert shown.status_code == 200
    assert "B-77" in shown.content.decode()
    assert not Guarantee.objects.exists(), "opening the link must not register"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm)
    guarantee = Guarantee.objects.get()
    assert (guarantee.channel, guarantee.buyer_email, str(guarantee.cover_amount)) == (
        "buyer",
        "ines@example.org",
        "64.50",
    )
    assert done.status_code == 302
    assert done["Location"] == page_path(guarantee.number)
    assert guarantee.number in mail.outbox[-1].subject
    assert page_path(guarantee.number) in mail.outbox[-1].body

    again = client.post(confirm)
    assert again.status_code == 302
    assert Guarantee.objects.count() == 1


def test_the_buyer_alone_has_five_days_and_learns_it_at_the_form(client, certified):
    old = (timezone.localdate() - timedelta(days=6)).isoformat()
    response = client.post(_register_path(certified), _form(purchase_date=old))
    assert response.status_code == 400
    assert "5" in " ".join(response.context["form"].errors["purchase_date"])
    assert not OutgoingMessage.objects.filter(template="guarantee_confirm").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "30000"}, None),
        ({"buyer_email": "not-an-email"}, "buyer_email"),
        ({"purchase_date": "2999-01-01"}, "purchase_date"),
        ({"accept": ""}, "accept"),
        ({"plan": "gold"}, "plan"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_sent(client, certified, changes, field):
    response = client.post(_register_path(certified), _form(**changes))
    if field is None:  # over the Basic cap is fine: the cover is capped, not refused
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not OutgoingMessage.objects.filter(template="guarantee_confirm").exists()


def test_an_already_registered_order_is_refused_at_the_form(client, certified):
    register_guarantee(shop=certified, purchase=purchase(order_reference="B-77"), channel="api")
    response = client.post(_register_path(certified), _form())
    assert response.status_code == 400
    assert "order_reference" in response.context["form"].errors


def test_a_tampered_or_expired_confirmation_link_registers_nothing(
    client, certified, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_path(certified), _form())
    confirm = _last_link()
    tampered = confirm[:-6] + ("A" if confirm[-6] != "A" else "B") + confirm[-5:]
    assert client.post(tampered).status_code == 400
    with freeze_time(timezone.now() + timedelta(hours=49)):
        expired = client.post(confirm)
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert not Guarantee.objects.exists()


def test_a_suspended_shop_cannot_be_registered_with(client, certified, active_mark, admin_user):
    from certification.marks import suspend_mark

    suspend_mark(mark=active_mark, actor=admin_user, reason="unanswered_claims")
    response = client.post(_register_path(certified), _form())
    assert response.status_code == 400
    assert not OutgoingMessage.objects.filter(template="guarantee_confirm").exists()


def test_the_guarantee_page_needs_the_signed_link(client, certified):
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    assert client.get(page_path(guarantee.number)).status_code == 200
    forged = reverse("guarantees:page", args=[guarantee.number])
    assert client.get(forged).status_code == 404


def test_the_buyer_cancels_from_the_page_after_confirming(client, certified):
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    path = page_path(guarantee.number)
    refused = client.post(path, {})
    assert refused.status_code == 400
    assert Guarantee.objects.get().state == "active"
    assert client.post(path, {"confirm_cancel": "yes"}).status_code == 302
    assert Guarantee.objects.get().state == "cancelled"
    page = client.get(path).content.decode()
    assert "confirm_cancel" not in page


def test_a_signed_in_buyer_sees_all_their_guarantees(client, certified, world):
    mine = register_guarantee(
        shop=certified, purchase=purchase(buyer_email=world.charlie.email), channel="api"
    )
    theirs = register_guarantee(
        shop=certified, purchase=purchase(order_reference="A-2"), channel="api"
    )
    client.force_login(world.charlie)
    page = client.get(reverse("guarantees:mine")).content.decode()
    assert mine.number in page
    assert theirs.number not in page
    assert page_path(mine.number) in page


def test_the_reminder_goes_once_a_week_before_the_cover_ends(
    certified, django_capture_on_commit_callbacks
):
    guarantee = register_guarantee(shop=certified, purchase=purchase(), channel="api")
    claimed = register_guarantee(
        shop=certified, purchase=purchase(order_reference="A-2"), channel="api"
    )
    claimed.open_claim()
    claimed.save()
    week_before = guarantee.cover_until - timedelta(days=7)
    with freeze_time(week_before - timedelta(days=1)):
        assert send_cover_reminders() == 0
    with freeze_time(week_before), django_capture_on_commit_callbacks(execute=True):
        assert send_cover_reminders() == 1
        assert send_cover_reminders() == 0
    assert mail.outbox[-1].to == ["bruno@example.com"]
    assert page_path(guarantee.number) in mail.outbox[-1].body
    assert Guarantee.objects.get(pk=guarantee.pk).reminder_sent_at is not None
    assert OutgoingMessage.objects.filter(template="guarantee_reminder").count() == 1


def test_public_forms_are_rate_limited_per_ip(client, certified, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "forms": "2/60"}
    for _ in range(2):
        assert client.post(_register_path(certified), _form(accept="")).status_code == 400
    limited = client.post(_register_path(certified), _form())
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert client.get(_register_path(certified)).status_code == 200
    other = client.post(_register_path(certified), _form(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
