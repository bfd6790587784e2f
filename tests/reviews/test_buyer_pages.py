"""The buyer's pages: follow an invitation, rate the shop and each item, edit and withdraw."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reviews.access import author_token
from reviews.models import Invitation, Review, ReviewState
from tests.reviews.helpers import invitation, line, product, reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


def _jpeg_with_metadata() -> bytes:
    picture = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # the camera's make
    exif[0x9286] = "taken at home"  # a user comment
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_buyer_follows_the_invitation_and_publishes_a_review(client, shop):
    inv = invitation(shop)
    url = reverse("review_buyer:invitation", args=[inv.token])
    page = client.get(url)
    assert page.status_code == 200
    assert inv.order_reference in page.content.decode()
    inv.refresh_from_db()
    assert inv.state == "opened"
    assert inv.clicked_at is not None
    done = client.post(
        url, {"service": "5", "delivery": "4", "comment": "Fast and friendly.", "name": "Bea Lang"}
    )
    review = Review.objects.get(invitation=inv)
    assert done.status_code == 302
    assert done["Location"] == reverse("review_buyer:mine", args=[author_token(review.pk)])
    assert review.state == ReviewState.PUBLISHED
    assert review.ratings == {"service": 5, "delivery": 4}
    mine = client.get(done["Location"])
    assert "Fast and friendly." in mine.content.decode()


def test_second_submission_from_another_tab_shows_a_message_not_an_error(client, shop):
    inv = invitation(shop)
    url = reverse("review_buyer:invitation", args=[inv.token])
    client.post(url, {"service": "5"})
    again = client.post(url, {"service": "1"})
    assert again.status_code == 200
    assert "already been reviewed" in again.content.decode()
    assert Review.objects.get(invitation=inv).service == 5


def test_stars_out_of_range_are_a_form_error(client, shop):
    inv = invitation(shop)
    page = client.post(reverse("review_buyer:invitation", args=[inv.token]), {"service": "9"})
    assert page.status_code == 400
    assert not Review.objects.exists()


def test_expired_invitation_says_so(client, shop):
    inv = invitation(shop, review_until=timezone.localdate() - timedelta(days=1))
    page = client.get(reverse("review_buyer:invitation", args=[inv.token]))
    assert page.status_code == 410
    assert Invitation.objects.get(pk=inv.pk).clicked_at is None


def test_items_follow_the_shop_review_one_by_one_and_can_be_skipped(client, shop):
    inv = invitation(shop)
    mug, pot = product(shop, "MUG"), product(shop, "POT")
    line(inv, mug)
    line(inv, pot)
    url = reverse("review_buyer:invitation", args=[inv.token])
    step = client.post(url, {"service": "4"})
    assert step["Location"] == reverse("review_buyer:products", args=[inv.token])
    first = client.get(step["Location"])
    assert "Product MUG" in first.content.decode()
    photo = io.BytesIO(_jpeg_with_metadata())
    photo.name = "holiday.jpg"
    client.post(
        step["Location"],
        {"stars": "5", "title": "Lovely", "text": "Holds heat well.", "photos": [photo]},
    )
    second = client.get(step["Location"])
    assert "Product POT" in second.content.decode()
    skip = client.post(step["Location"], {"skip": str(inv.lines.get(product=pot).pk)})
    assert "/r/mine/" in client.get(skip["Location"]).url
    reviewed = Review.objects.get(product=mug)
    assert reviewed.state == ReviewState.PUBLISHED
    stored = reviewed.photos.get()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert stored.content_type == "image/jpeg"
    assert b"SecretCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert not Review.objects.filter(product=pot).exists()


def test_a_file_that_is_not_a_picture_is_refused(client, shop):
    inv = invitation(shop)
    line(inv, product(shop, "MUG"))
    client.post(reverse("review_buyer:invitation", args=[inv.token]), {"service": "4"})
    fake = io.BytesIO(b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    fake.name = "x.jpg"
    page = client.post(
        reverse("review_buyer:products", args=[inv.token]),
        {"stars": "5", "text": "ok", "photos": [fake]},
    )
    assert page.status_code == 400
    assert not Review.objects.filter(subject="product").exists()


def test_author_edits_and_withdraws_through_their_link(client, shop):
    inv = invitation(shop)
    client.post(reverse("review_buyer:invitation", args=[inv.token]), {"service": "2"})
    review = Review.objects.get()
    url = reverse("review_buyer:mine", args=[author_token(review.pk)])
    client.post(url, {"action": "edit", "service": "4", "comment": "Sorted out after all."})
    review.refresh_from_db()
    assert review.service == 4
    assert review.edited_at is not None
    client.post(url, {"action": "withdraw", "confirm": "on"})
    review.refresh_from_db()
    assert review.state == ReviewState.WITHDRAWN


def test_a_forged_author_link_is_404(client, shop):
    assert client.get(reverse("review_buyer:mine", args=["1:forged"])).status_code == 404


def test_open_link_only_where_the_shop_allows_it(client, shop):
    url = reverse("review_buyer:write", args=[shop.public_id])
    assert client.get(url).status_code == 404
    reviews_on(shop, allow_open_link=True)
    done = client.post(url, {"service": "3", "email": "walk-in@example.org"})
    assert done.status_code == 302
    assert Review.objects.get().label == "not_verified"
