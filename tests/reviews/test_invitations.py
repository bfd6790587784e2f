"""Inviting buyers: refusals, scheduling, sending once, reminders, rate later, unsubscribe,
expiry and erasure, invitations picked up from registered guarantees."""

from __future__ import annotations

import html
from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import Conflict, DomainError, NotPermitted
from guarantees.services import register_guarantee
from notifications.models import OutgoingMessage
from reviews import invitations
from reviews.invitations import Line, invite
from reviews.models import Invitation, InvitationState, Product, Unsubscribe
from reviews.products import ProductData
from reviews.tasks import nightly, send_due_invitations
from tests.guarantees.helpers import purchase
from tests.reviews.helpers import reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop, invite_delay_days=5, reminder_days=7)
    return world.shop


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """The periodic task, with the emails it queues sent as after a commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return send_due_invitations()

    return run


def today():
    return timezone.localdate()


def order(shop, reference="A-1", **changes):
    values = {
        "shop": shop,
        "order_reference": reference,
        "email": "ines@example.org",
        "name": "Inès Dupont",
        "language": "fr",
        "order_date": today() - timedelta(days=2),
        "source": "api",
    }
    values.update(changes)
    return invite(**values)


def at_send_hour(day):
    return timezone.make_aware(datetime.combine(day, time(invitations.SEND_HOUR)))


def invitation_emails(kind=None):
    rows = OutgoingMessage.objects.filter(template="review_invitation")
    if kind:
        rows = rows.filter(dedupe_key__endswith=f":{kind}")
    return rows


def make_due(inv):
    Invitation.objects.filter(pk=inv.pk).update(send_at=timezone.now() - timedelta(minutes=1))


# --- refusals ---------------------------------------------------------------------------


def test_a_shop_with_reviews_off_cannot_invite(world):
    with pytest.raises(Conflict):
        order(world.shop)
    reviews_on(world.shop, enabled=False)
    with pytest.raises(Conflict):
        order(world.shop)
    assert not Invitation.objects.exists()


def test_a_closed_shop_cannot_invite(shop):
    shop.closed_at = timezone.now()
    shop.save(update_fields=["closed_at"])
    with pytest.raises(Conflict):
        order(shop)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"order_date": today() + timedelta(days=1)}, "order_date"),
        (
            {"order_date": today() - timedelta(days=31 * settings.REVIEW_WRITE_MONTHS + 5)},
            "order_date",
        ),
        ({"order_date": None}, "order_date"),
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"order_reference": " "}, "order_reference"),
        ({"language": "xx"}, "language"),
        ({"expected_delivery_date": today() - timedelta(days=30)}, "expected_delivery_date"),
    ],
)
def test_an_invitation_with_bad_order_data_is_refused_naming_the_field(shop, changes, field):
    with pytest.raises(DomainError) as refused:
        order(shop, **changes)
    assert refused.value.field == field
    assert not Invitation.objects.exists()


def test_the_same_order_is_invited_only_once(shop):
    order(shop, "A-7")
    with pytest.raises(Conflict) as refused:
        order(shop, "A-7", email="someone@example.org")
    assert refused.value.field == "order_reference"
    assert Invitation.objects.count() == 1
    # another shop may use the same reference
    reviews_on(shop.member.shops.exclude(pk=shop.pk).first())
    order(shop.member.shops.exclude(pk=shop.pk).first(), "A-7")


def test_the_database_refuses_a_second_invitation_of_one_order(shop):
    first = order(shop, "A-8")
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_invitation (shop_id, source, order_reference, email, name,"
            " language, order_date, token, state, send_at, review_until, created_at, updated_at)"
            " SELECT shop_id, source, order_reference, 'x@example.org', '', 'en', order_date,"
            " 'other-token', 'scheduled', send_at, review_until, now(), now()"
            " FROM reviews_invitation WHERE id = %s",
            [first.pk],
        )


# --- scheduling -------------------------------------------------------------------------


def test_the_invitation_goes_out_the_shops_delay_after_the_order(shop):
    ordered = today() - timedelta(days=1)
    inv = order(shop, order_date=ordered)
    assert inv.state == InvitationState.SCHEDULED
    assert inv.send_at == at_send_hour(ordered + timedelta(days=5))
    assert inv.review_until == ordered + relativedelta(months=settings.REVIEW_WRITE_MONTHS)
    assert inv.remind_at == inv.send_at + timedelta(days=7)
    assert inv.language == "fr"


def test_with_an_expected_delivery_the_delay_counts_from_the_delivery(shop):
    inv = order(shop, order_date=today(), expected_delivery_date=today() + timedelta(days=10))
    assert inv.send_at == at_send_hour(today() + timedelta(days=15))


def test_an_order_already_past_the_delay_is_sent_at_the_next_run(shop):
    inv = order(shop, order_date=today() - timedelta(days=20))
    assert inv.send_at <= timezone.now()


def test_order_lines_create_or_update_the_shops_products_by_sku(shop, world):
    Product.objects.create(shop=shop, sku="LAMP-1", name="Desk lamp", brand="Lumo")
    inv = order(
        shop,
        lines=[
            Line(ProductData(sku="LAMP-1", gtin="4006381333931")),
            Line(ProductData(sku="BULB-2", name="Bulb E27"), quantity=2),
            Line(ProductData(sku="BULB-2", name="Bulb E27"), quantity=1),
        ],
    )
    lamp = Product.objects.get(shop=shop, sku="LAMP-1")
    assert (lamp.name, lamp.brand, lamp.gtin) == ("Desk lamp", "Lumo", "4006381333931")
    assert sorted(inv.lines.values_list("product__sku", "quantity")) == [
        ("BULB-2", 3),
        ("LAMP-1", 1),
    ]
    assert not Product.objects.filter(shop=world.charlie_shop).exists()


def test_a_new_product_on_an_order_line_needs_a_name(shop):
    with pytest.raises(DomainError) as refused:
        order(shop, lines=[Line(ProductData(sku="NEW-1"))])
    assert refused.value.field == "lines[0].name"
    assert not Invitation.objects.exists()


def test_an_address_unsubscribed_from_the_shop_gets_a_cancelled_invitation_never_sent(send, shop):
    inv = order(shop, "A-1")
    invitations.unsubscribe(invitation=inv, every_shop=False)
    again = order(shop, "A-2", email="INES@example.org ")
    assert again.state == InvitationState.CANCELLED
    assert again.unsubscribed_at is not None
    make_due(again)
    send()
    assert not invitation_emails().exists()


# --- sending ----------------------------------------------------------------------------


def test_due_invitations_are_sent_once_in_the_buyers_language(send, shop, mailoutbox):
    inv = order(shop, order_date=today() - timedelta(days=10))
    not_yet = order(shop, "A-2", order_date=today())
    figures = send()
    assert figures["sent"] == 1
    inv.refresh_from_db()
    assert inv.state == InvitationState.SENT
    assert inv.remind_at == inv.sent_at + timedelta(days=7)
    assert Invitation.objects.get(pk=not_yet.pk).state == InvitationState.SCHEDULED
    assert [m.to for m in mailoutbox] == [["ines@example.org"]]
    body = mailoutbox[0].body
    assert reverse("review_buyer:invitation", args=[inv.token]) in body
    assert reverse("review_invitations:later", args=[inv.token]) in body
    assert reverse("review_invitations:unsubscribe", args=[inv.token]) in body
    assert reverse("review_invitations:unsubscribe_all", args=[inv.token]) in body
    assert shop.name in mailoutbox[0].subject
    send()
    assert len(mailoutbox) == 1
    inv.refresh_from_db()
    assert inv.delivered_at == OutgoingMessage.objects.get().sent_at


def test_the_invitation_email_has_the_same_neutral_words_for_every_order(send, shop, mailoutbox):
    reviews_on(shop, logo_url="https://nordlicht.example/logo.png")
    order(shop, "A-1", order_date=today() - timedelta(days=10), language="en")
    order(shop, "A-2", order_date=today() - timedelta(days=10), language="en", name="Bo")
    send()
    first, second = (m.body for m in mailoutbox)
    strip = [(inv.token, "") for inv in Invitation.objects.all()] + [("A-1", ""), ("A-2", "")]
    for old, new in strip:
        first, second = first.replace(old, new), second.replace(old, new)
    assert first == second
    assert "https://nordlicht.example/logo.png" in first
    for word in ("voucher", "discount", "5 stars", "five stars", "coupon"):
        assert word not in first.lower()


def test_an_unsubscribed_address_is_cancelled_when_its_invitation_comes_due(send, shop, world):
    inv = order(shop, "A-1", email="ines@example.org", order_date=today() - timedelta(days=10))
    reviews_on(world.charlie_shop)
    elsewhere = order(world.charlie_shop, "C-1", email="ines@example.org")
    invitations.unsubscribe(invitation=elsewhere, every_shop=True)
    figures = send()
    assert figures == {**figures, "sent": 0, "cancelled": 1}
    assert Invitation.objects.get(pk=inv.pk).state == InvitationState.CANCELLED
    assert not invitation_emails().exists()


def test_unsubscribe_from_one_shop_keeps_other_shops_invitations(send, shop, world):
    inv = order(shop, "A-1")
    invitations.unsubscribe(invitation=inv, every_shop=False)
    assert Invitation.objects.get(pk=inv.pk).state == InvitationState.CANCELLED
    reviews_on(world.charlie_shop)
    other = order(world.charlie_shop, "C-1", order_date=today() - timedelta(days=10))
    send()
    assert Invitation.objects.get(pk=other.pk).state == InvitationState.SENT
    row = Unsubscribe.objects.get()
    assert row.shop == shop
    assert "ines" not in row.email_sha256


def test_one_reminder_to_buyers_who_have_not_reviewed(send, shop, mailoutbox):
    inv = order(shop, order_date=today() - timedelta(days=10))
    send()
    assert send()["reminded"] == 0
    Invitation.objects.filter(pk=inv.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    assert send()["reminded"] == 1
    assert send()["reminded"] == 0
    assert invitation_emails("reminder").count() == 1
    with translation.override(inv.language):  # the buyer's language
        subject = gettext("Reminder: your opinion of %(shop)s") % {"shop": shop.name}
    assert mailoutbox[-1].subject == subject
    assert reverse("review_invitations:later", args=[inv.token]) not in mailoutbox[-1].body


def test_no_reminder_after_the_buyer_reviewed(send, shop):
    inv = order(shop, order_date=today() - timedelta(days=10))
    send()
    Invitation.objects.filter(pk=inv.pk).update(
        state=InvitationState.REVIEWED, remind_at=timezone.now() - timedelta(minutes=1)
    )
    assert send()["reminded"] == 0


def test_rate_later_moves_the_one_reminder_and_says_when(send, shop, client):
    reviews_on(shop, reminder_days=None)
    inv = order(shop, order_date=today() - timedelta(days=10))
    send()
    inv.refresh_from_db()
    assert inv.remind_at is None
    url = reverse("review_invitations:later", args=[inv.token])
    assert client.get(url).status_code == 200
    assert Invitation.objects.get(pk=inv.pk).remind_at is None  # a GET changes nothing
    answer = client.post(url)
    assert answer.status_code == 200
    inv.refresh_from_db()
    expected = timezone.now() + timedelta(days=invitations.LATER_DAYS)
    assert abs((inv.remind_at - expected).total_seconds()) < 60
    with translation.override(inv.language):
        said = gettext("We will remind you once")
    assert said in html.unescape(answer.content.decode())
    client.post(url)
    assert Invitation.objects.get(pk=inv.pk).remind_at == inv.remind_at
    Invitation.objects.filter(pk=inv.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    assert send()["reminded"] == 1
    with pytest.raises(Conflict):
        invitations.rate_later(invitation=inv)


def test_unsubscribe_link_asks_then_records_for_the_shop(send, shop, client):
    inv = order(shop, order_date=today() - timedelta(days=10))
    send()
    url = reverse("review_invitations:unsubscribe", args=[inv.token])
    assert client.get(url).status_code == 200
    assert not Unsubscribe.objects.exists()
    assert client.post(url).status_code == 200
    inv.refresh_from_db()
    assert inv.unsubscribed_at is not None
    assert Unsubscribe.objects.filter(shop=shop).count() == 1
    client.post(url)
    assert Unsubscribe.objects.count() == 1


def test_unsubscribe_from_every_shop_through_the_link(shop, client, world):
    inv = order(shop)
    client.post(reverse("review_invitations:unsubscribe_all", args=[inv.token]))
    assert Unsubscribe.objects.filter(shop=None).count() == 1
    reviews_on(world.charlie_shop)
    assert order(world.charlie_shop, "C-1").state == InvitationState.CANCELLED


def test_an_unknown_token_is_a_404(client, db):
    assert client.get(reverse("review_invitations:later", args=["nope"])).status_code == 404


def test_the_shop_cancels_an_invitation_not_yet_sent(shop, world):
    inv = order(shop, order_date=today())
    invitations.cancel(invitation=inv, actor=world.alice)
    assert Invitation.objects.get(pk=inv.pk).state == InvitationState.CANCELLED
    with pytest.raises(Conflict):
        invitations.cancel(invitation=inv, actor=world.alice)


# --- expiry and erasure -----------------------------------------------------------------


def test_invitations_past_their_time_expire(send, shop):
    inv = order(shop, order_date=today() - timedelta(days=10))
    send()
    Invitation.objects.filter(pk=inv.pk).update(review_until=today() - timedelta(days=1))
    send()
    assert Invitation.objects.get(pk=inv.pk).state == InvitationState.EXPIRED


def test_unused_invitations_are_erased_after_the_keep_period_but_reviewed_ones_are_not(shop):
    old = today() - timedelta(days=settings.REVIEW_INVITATION_KEEP_DAYS + 1)
    unused = order(shop, "A-1")
    reviewed = order(shop, "A-2")
    recent = order(shop, "A-3")
    Invitation.objects.filter(pk__in=[unused.pk, reviewed.pk]).update(order_date=old)
    Invitation.objects.filter(pk=reviewed.pk).update(
        state=InvitationState.REVIEWED, reviewed_at=timezone.now()
    )
    figures = nightly()
    assert figures["invitations_erased"] == 1
    unused.refresh_from_db()
    assert (unused.email, unused.name, unused.state) == ("", "", InvitationState.EXPIRED)
    assert unused.erased_at is not None
    assert Invitation.objects.get(pk=reviewed.pk).email == "ines@example.org"
    assert Invitation.objects.get(pk=recent.pk).erased_at is None
    assert nightly()["invitations_erased"] == 0


# --- guarantees -------------------------------------------------------------------------


def test_a_registered_guarantee_is_invited_by_the_task(send, shop, active_mark):
    guarantee = register_guarantee(
        shop=shop,
        purchase=purchase(
            order_reference="G-1",
            buyer_name="Bruno Keller",
            language="de",
            purchase_date=today() - timedelta(days=1),
            expected_delivery_date=today() + timedelta(days=2),
        ),
        channel="api",
    )
    assert not Invitation.objects.exists()  # nothing added to the registration itself
    assert send()["created"] == 1
    inv = Invitation.objects.get()
    assert (inv.guarantee, inv.source, inv.language) == (guarantee, "guarantee", "de")
    assert inv.email == guarantee.buyer_email
    assert inv.send_at == at_send_hour(today() + timedelta(days=7))
    assert send()["created"] == 0


def test_no_guarantee_invitation_when_the_shop_does_not_want_it_or_already_invited(
    send, shop, active_mark
):
    reviews_on(shop, invite_after_guarantee=False)
    register_guarantee(shop=shop, purchase=purchase(order_reference="G-1"), channel="api")
    assert send()["created"] == 0
    reviews_on(shop, invite_after_guarantee=True)
    order(shop, "G-1")  # the checkout invited this order already through the API
    assert send()["created"] == 0
    assert Invitation.objects.get().source == "api"


def test_only_people_with_the_reviews_right_invite_or_cancel(shop, world):
    inv = order(shop, "A-1", order_date=today())
    with pytest.raises(NotPermitted):
        invitations.cancel(invitation=inv, actor=world.charlie)
    with pytest.raises(NotPermitted):
        order(shop, "A-2", actor=world.bob)  # bob holds the cases right, not reviews
    assert Invitation.objects.get().state == InvitationState.SCHEDULED
