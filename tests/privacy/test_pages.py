"""The buyer's "My data" pages: signed in, and by the emailed link for buyers without an account."""

from __future__ import annotations

import json
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes import services
from disputes.access import buyer_of
from guarantees.links import page_token
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from privacy.erasure import erase, pseudonym
from privacy.links import SALT, data_token
from tests.factories import UserFactory, png_bytes
from tests.guarantees.helpers import register_many

BUYER = "nora.buyer@example.com"


@pytest.fixture
def nora(world, active_mark):
    (guarantee,) = register_many(world.shop, 1, buyer_email=BUYER, buyer_name="Nora Nordwind")
    return guarantee


def _link_from_outbox() -> str:
    message = OutgoingMessage.objects.filter(template="privacy_link", to_email=BUYER).get()
    return re.search(r"https?://\S+", message.body_text).group(0)


@pytest.mark.django_db
def test_a_buyer_without_account_gets_a_link_that_downloads_and_erases(client, nora):
    page = client.post(reverse("privacy:ask_link"), {"email": "Nora.Buyer@Example.com"})
    assert page.status_code == 200
    assert b"Check your email" in page.content
    path = _link_from_outbox().split("://", 1)[1].split("/", 1)[1]

    shown = client.get(f"/{path}")
    assert shown.status_code == 200
    assert BUYER in shown.content.decode()
    download = client.get(f"/{path}download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.content)["guarantees"][0]["number"] == nora.number

    refused = client.post(f"/{path}", {})
    assert refused.status_code == 400
    assert b"Tick the box" in refused.content
    assert Guarantee.objects.get(pk=nora.pk).buyer_email == BUYER

    erased = client.post(f"/{path}", {"confirm": "on"})
    assert erased.status_code == 200
    assert Guarantee.objects.get(pk=nora.pk).buyer_email == pseudonym(BUYER)


@pytest.mark.django_db
def test_the_link_form_answers_the_same_for_an_unknown_address(client, db):
    page = client.post(reverse("privacy:ask_link"), {"email": "nobody@example.com"})
    assert page.status_code == 200
    assert b"Check your email" in page.content


@pytest.mark.django_db
def test_a_tampered_or_expired_link_is_refused_with_a_message(client, nora, settings):
    token = data_token(BUYER)
    tampered = client.get(reverse("privacy:link", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 400
    assert b"This link is not valid" in tampered.content
    other_purpose = signing.dumps({"email": BUYER}, salt="trustmark.guarantees.buyer-confirm")
    assert client.get(reverse("privacy:link", args=[other_purpose])).status_code == 400
    assert client.get(reverse("privacy:link_download", args=[token[:-2] + "xx"])).status_code == 400

    settings.PRIVACY_LINK_HOURS = 0
    expired = client.get(reverse("privacy:link_download", args=[token]))
    assert expired.status_code == 400
    assert b"This link has expired" in expired.content
    assert signing.loads(token, salt=SALT)["email"] == BUYER  # the signature itself was good


@pytest.mark.django_db
def test_the_link_form_is_rate_limited_per_ip(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "forms": "2/60"}
    for _ in range(2):
        assert client.post(reverse("privacy:ask_link"), {"email": BUYER}).status_code == 200
    limited = client.post(reverse("privacy:ask_link"), {"email": BUYER})
    assert limited.status_code == 429
    assert limited["Retry-After"]


@pytest.mark.django_db
def test_a_signed_in_buyer_downloads_and_erases_from_the_account(client, nora):
    user = UserFactory(email=BUYER)
    Guarantee.objects.filter(pk=nora.pk).update(buyer=user)
    client.force_login(user)
    page = client.get(reverse("privacy:account"))
    assert page.status_code == 200
    download = client.get(reverse("privacy:account_download"))
    assert download["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.content)["account"]["email"] == BUYER

    client.post(reverse("privacy:account"), {"confirm": "on"})
    user.refresh_from_db()
    assert user.email == pseudonym(BUYER)
    assert not user.is_active
    assert not user.has_usable_password()
    assert client.get(reverse("privacy:account")).status_code == 302  # signed out


@pytest.mark.django_db
def test_the_page_says_an_open_claim_must_end_first(client, nora):
    services.file_claim(
        actor=buyer_of(nora),
        guarantee=nora,
        reason="not_delivered",
        amount="40.00",
        description="Nothing came.",
        language="en",
    )
    path = reverse("privacy:link", args=[data_token(BUYER)])
    refused = client.post(path, {"confirm": "on"})
    assert refused.status_code == 400
    assert b"is still open" in refused.content
    assert Guarantee.objects.get(pk=nora.pk).buyer_email == BUYER


@pytest.mark.django_db
def test_an_erased_attachment_is_no_longer_served(client, nora):
    buyer = buyer_of(nora)
    claim = services.file_claim(
        actor=buyer,
        guarantee=nora,
        reason="not_delivered",
        amount="40.00",
        description="Nothing came.",
        language="en",
    )
    message = services.post_message(
        actor=buyer,
        claim=claim,
        body="My receipt.",
        files=[SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png")],
    )
    services.withdraw_claim(actor=buyer, claim=claim, note="")
    (attachment,) = message.attachments.all()
    url = reverse("claims:attachment", args=[page_token(nora.number), claim.number, attachment.pk])
    assert client.get(url).status_code == 200
    erase(email=BUYER, actor=None)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_account_page_needs_a_signed_in_person(client, db):
    assert client.get(reverse("privacy:account")).status_code == 302
    assert client.get(reverse("privacy:account_download")).status_code == 302
