"""Uploading an order list in the member portal: CSV and XLSX, preview first, then invitations."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from notifications.models import OutgoingMessage
from reviews.models import Invitation, Product
from tests.reviews.helpers import invitation, reviews_on

UPLOAD = "review_invites_portal:upload"
CONFIRM = "review_invites_portal:confirm"
LIST = "review_invites_portal:list"


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


def day(days_ago):
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def csv_file(text, name="orders.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


GOOD_CSV = (
    "order_reference,email,name,language,order_date,expected_delivery_date,sku,product_name,gtin,quantity\n"
    f"A-1,ines@example.org,Inès Dupont,fr,{day(3)},,LAMP-1,Desk lamp,4006381333931,1\n"
    f"A-1,ines@example.org,,,{day(3)},,BULB-2,Bulb E27,,2\n"
    f"A-2,bruno@example.org,Bruno Keller,de,{day(5)},{day(1)},,,,\n"
)


def xlsx_file(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "orders.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def preview(client, shop, upload):
    return client.post(reverse(UPLOAD), {"shop": shop.pk, "file": upload})


def signed_rows(response):
    return re.search(r'name="rows" value="([^"]+)"', response.content.decode()).group(1)


def nothing_stored():
    return (
        not Invitation.objects.exists()
        and not Product.objects.exists()
        and not OutgoingMessage.objects.exists()
    )


def test_a_csv_preview_shows_every_row_and_stores_nothing(client, world, shop):
    client.force_login(world.alice)
    answer = preview(client, shop, csv_file(GOOD_CSV))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "3 rows" in page
    assert "2 orders" in page
    assert "Invite 2 orders" in page
    assert "LAMP-1" in page
    assert "bruno@example.org" in page
    assert nothing_stored()


def test_confirming_the_preview_invites_the_orders_with_their_items(client, world, shop):
    client.force_login(world.alice)
    shown = preview(client, shop, csv_file(GOOD_CSV))
    answer = client.post(
        reverse(CONFIRM), {"shop": shop.pk, "rows": signed_rows(shown)}, follow=True
    )
    assert answer.status_code == 200
    assert "2 orders invited" in answer.content.decode()
    ines = Invitation.objects.get(order_reference="A-1")
    assert (ines.source, ines.language, ines.state) == ("upload", "fr", "scheduled")
    assert sorted(ines.lines.values_list("product__sku", "quantity")) == [
        ("BULB-2", 2),
        ("LAMP-1", 1),
    ]
    bruno = Invitation.objects.get(order_reference="A-2")
    assert bruno.expected_delivery_date == timezone.localdate() - timedelta(days=1)
    assert not OutgoingMessage.objects.exists()  # sent by the worker after the delay
    # confirming the same preview again invites nothing twice
    again = client.post(
        reverse(CONFIRM), {"shop": shop.pk, "rows": signed_rows(shown)}, follow=True
    )
    assert "0 orders invited" in again.content.decode()
    assert Invitation.objects.count() == 2


def test_rows_with_problems_are_listed_with_row_and_column_and_skipped(client, world, shop):
    invitation(shop, order_reference="OLD-1")
    client.force_login(world.alice)
    text = (
        "Order Reference;E-Mail;order_date;sku;gtin\n"  # headers normalised, ';' separated
        f"B-1;ok@example.org;{day(2)};;\n"
        f"B-2;not-an-email;{day(2)};;\n"
        f"B-3;x@example.org;31/02/2026;;\n"
        f"B-4;y@example.org;{day(2)};NEW-9;4006381333932\n"
        f"OLD-1;z@example.org;{day(2)};;\n"
        f"B-5;w@example.org;{(timezone.localdate() + timedelta(days=2)).isoformat()};;\n"
    )
    answer = preview(client, shop, csv_file(text.replace("E-Mail", "email")))
    assert answer.status_code == 200
    problems = answer.context["preview"].problems
    assert [(p.row, p.field) for p in problems] == [
        (3, "email"),
        (4, "order_date"),
        (5, "gtin"),
        (6, "order_reference"),
        (7, "order_date"),
    ]
    client.post(reverse(CONFIRM), {"shop": shop.pk, "rows": signed_rows(answer)})
    assert sorted(Invitation.objects.values_list("order_reference", flat=True)) == ["B-1", "OLD-1"]


def test_an_xlsx_list_with_date_cells_is_read(client, world, shop):
    client.force_login(world.alice)
    ordered = timezone.localdate() - timedelta(days=4)
    upload = xlsx_file(
        [
            ["order_reference", "email", "name", "order_date", "sku", "product_name", "quantity"],
            [1001, "ines@example.org", "Inès", ordered, "LAMP-1", "Desk lamp", 3],
            [None, None, None, None, None, None, None],
            [1002, "bruno@example.org", "Bruno", date(2001, 1, 1), None, None, None],
        ]
    )
    answer = preview(client, shop, upload)
    assert answer.status_code == 200
    checked = answer.context["preview"]
    assert [o.reference for o in checked.valid] == ["1001"]
    assert [(p.row, p.field) for p in checked.problems] == [(4, "order_date")]
    client.post(reverse(CONFIRM), {"shop": shop.pk, "rows": signed_rows(answer)})
    invited = Invitation.objects.get()
    assert (invited.order_reference, invited.order_date) == ("1001", ordered)
    assert invited.lines.get().quantity == 3


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("a.csv", b"%PDF-1.4 fake", content_type="text/csv"), "CSV"),
        (
            csv_file(
                "order_reference,email,order_date\nA-1,ü@example.org,2026-01-01\n",
                encoding="latin-1",
            ),
            "UTF-8",
        ),
        (csv_file("order_reference,name\nA-1,Ines\n"), "email, order_date"),
        (
            SimpleUploadedFile(
                "a.xlsx", b"PK\x03\x04not really a zip", content_type="application/zip"
            ),
            "XLSX",
        ),
        (csv_file("order_reference,email,order_date\n"), "no orders"),
    ],
)
def test_a_broken_file_is_a_clear_form_error(client, world, shop, upload, words):
    client.force_login(world.alice)
    answer = preview(client, shop, upload)
    assert answer.status_code == 200
    errors = answer.context["form"].errors["file"]
    assert any(words in error for error in errors), errors
    assert nothing_stored()


def test_a_too_large_file_is_refused(client, world, shop, settings):
    from reviews import uploads

    client.force_login(world.alice)
    big = "order_reference,email,order_date\n" + "A,b@example.org,2026-01-01\n" * 90_000
    assert len(big) > uploads.MAX_BYTES
    answer = preview(client, shop, csv_file(big))
    assert "too large" in answer.context["form"].errors["file"][0]


def test_a_tampered_preview_is_refused(client, world, shop):
    client.force_login(world.alice)
    shown = preview(client, shop, csv_file(GOOD_CSV))
    rows = signed_rows(shown)
    answer = client.post(
        reverse(CONFIRM), {"shop": shop.pk, "rows": rows[:-3] + "abc"}, follow=True
    )
    assert "Upload the file again" in answer.content.decode()
    assert nothing_stored()


def test_a_preview_for_one_shop_cannot_be_confirmed_for_another(client, world, shop):
    reviews_on(world.other_shop)
    client.force_login(world.alice)
    rows = signed_rows(preview(client, shop, csv_file(GOOD_CSV)))
    client.post(reverse(CONFIRM), {"shop": world.other_shop.pk, "rows": rows})
    assert nothing_stored()


def test_only_people_with_the_reviews_right_upload_and_see_invitations(client, world, shop):
    invitation(shop, order_reference="A-9")
    client.force_login(world.charlie)  # another member's owner: his own shop only
    assert "A-9" not in client.get(reverse(LIST)).content.decode()
    assert "shop" in preview(client, shop, csv_file(GOOD_CSV)).context["form"].errors
    inv = Invitation.objects.get()
    assert client.post(reverse("review_invites_portal:cancel", args=[inv.pk])).status_code == 404
    assert Invitation.objects.get().state == "scheduled"
    client.force_login(world.bob)  # cases right only
    assert client.get(reverse(LIST)).status_code == 403
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.REVIEWS, shop.pk)},
    )
    page = client.get(reverse(LIST))
    assert page.status_code == 200
    assert "A-9" in page.content.decode()
    assert preview(client, shop, csv_file(GOOD_CSV)).status_code == 200
    # bob's right is on one shop: the other shop is not offered nor accepted
    reviews_on(world.other_shop)
    refused = client.post(
        reverse(UPLOAD), {"shop": world.other_shop.pk, "file": csv_file(GOOD_CSV)}
    )
    assert "shop" in refused.context["form"].errors


def test_the_shop_cancels_a_scheduled_invitation_from_the_list(client, world, shop):
    inv = invitation(shop, send_at=timezone.now() + timedelta(days=3))
    Invitation.objects.filter(pk=inv.pk).update(state="scheduled")
    client.force_login(world.alice)
    client.post(reverse("review_invites_portal:cancel", args=[inv.pk]))
    assert Invitation.objects.get(pk=inv.pk).state == "cancelled"


def test_the_list_filters_and_makes_the_same_queries_for_many_rows(
    client, world, shop, django_assert_max_num_queries
):
    client.force_login(world.alice)
    for _ in range(3):
        invitation(shop, source="upload")
    invitation(shop, source="api", order_reference="API-1")
    with django_assert_max_num_queries(14) as few:
        client.get(reverse(LIST))
    for _ in range(40):
        invitation(shop)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(LIST))
    only_api = client.get(reverse(LIST), {"source": "api", "q": "API-1"})
    assert [i.order_reference for i in only_api.context["page"].object_list] == ["API-1"]
