"""The case pages as each party sees them: filing, answering, mediating, access and evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes import services
from disputes.models import Claim
from guarantees.links import page_path, page_token
from tests.factories import UserFactory, administrator, join, png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()


def _buyer_urls(guarantee):
    token = page_token(guarantee.number)
    return token, reverse("claims:new", args=[token])


def _file_through_the_page(client, guarantee, **changes):
    _token, new = _buyer_urls(guarantee)
    data = {
        "reason": "not_delivered",
        "amount": "120.00",
        "description": "Nothing arrived in three weeks.",
        "files": SimpleUploadedFile("receipt.png", PNG, content_type="image/png"),
    }
    data.update(changes)
    return client.post(new, data)


def test_a_buyer_files_from_the_guarantee_page_and_follows_the_case(client, guarantee, world):
    page = client.get(page_path(guarantee.number)).content.decode()
    token, new = _buyer_urls(guarantee)
    assert new in page
    assert client.get(new).status_code == 200
    response = _file_through_the_page(client, guarantee)
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:case", args=[token, claim.number])
    case = client.get(response["Location"]).content.decode()
    assert claim.number in case
    assert "receipt.png" in case
    assert claim.number in client.get(page_path(guarantee.number)).content.decode()


def test_bad_claims_are_form_errors(client, guarantee):
    over = _file_through_the_page(client, guarantee, amount="3000.01")
    assert over.status_code == 400
    assert "amount" in over.context["form"].errors
    fake = _file_through_the_page(
        client, guarantee, files=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")
    )
    assert fake.status_code == 400
    assert "files" in fake.context["form"].errors
    assert not Claim.objects.exists()


def test_the_whole_case_through_the_pages(client, guarantee, world, staff, second_staff):
    _file_through_the_page(client, guarantee, amount="2800.00")
    claim = Claim.objects.get()
    token, _new = _buyer_urls(guarantee)
    buyer_case = reverse("claims:case", args=[token, claim.number])
    portal_case = reverse("disputes:case", args=[claim.number])

    client.force_login(world.bob)  # employee with the cases right on this shop
    assert claim.number in client.get(reverse("disputes:list")).content.decode()
    answer = client.post(
        portal_case + "answer/", {"answer": "disputed", "text": "Delivered to the locker."}
    )
    assert answer.status_code == 302
    client.logout()

    assert client.post(buyer_case + "reject/", {"text": "The locker was empty."}).status_code == 302
    client.force_login(staff.user)
    assert claim.number in client.get(reverse("disputes:queue")).content.decode()
    decided = client.post(
        portal_case + "decide/", {"outcome": "buyer", "amount": "", "reason": "No proof."}
    )
    assert decided.status_code == 302
    own = client.post(portal_case + "approve_payout/", {})
    assert own.status_code == 400
    assert "second staff member" in own.content.decode()
    client.force_login(second_staff.user)
    assert client.post(portal_case + "approve_payout/", {}).status_code == 302
    paid = client.post(portal_case + "pay/", {"reference": "SEPA-77"})
    assert paid.status_code == 302
    claim.refresh_from_db()
    assert claim.state == "closed"
    assert claim.payout.state == "paid"
    client.logout()
    closed = client.get(buyer_case).content.decode()
    assert "SEPA-77" in closed
    late = client.post(buyer_case + "message/", {"body": "Thanks!"})
    assert late.status_code == 400
    assert "no more messages" in late.content.decode()

    client.force_login(administrator(email="boss@trustmark.example"))
    balances = client.get(reverse("disputes:recourse"))
    assert "2800.00" in balances.content.decode()


def test_people_without_the_cases_right_get_a_404(client, guarantee, world, buyer):
    claim = services.file_claim(
        actor=buyer, guarantee=guarantee, reason="other", amount="10", description="x"
    )
    stranger = UserFactory(email="dana@nordlicht.example")
    join(world.member, stranger)
    for person in (stranger, world.charlie):
        client.force_login(person)
        assert client.get(reverse("disputes:case", args=[claim.number])).status_code == 404
        assert claim.number not in client.get(reverse("disputes:list")).content.decode()
    assert client.get(reverse("disputes:queue")).status_code == 404
    assert client.get(reverse("disputes:recourse")).status_code == 404
    forged = reverse("claims:case", args=["not-a-token", claim.number])
    assert client.get(forged).status_code == 404


def test_internal_notes_and_their_files_reach_staff_only(client, guarantee, world, buyer, staff):
    claim = services.file_claim(
        actor=buyer, guarantee=guarantee, reason="other", amount="10", description="x"
    )
    note = services.post_message(
        actor=staff,
        claim=claim,
        body="Third complaint this month about this shop.",
        internal=True,
        files=[SimpleUploadedFile("memo.png", PNG)],
    )
    attachment = note.attachments.get()
    token, _new = _buyer_urls(guarantee)
    buyer_case = reverse("claims:case", args=[token, claim.number])
    assert "Third complaint" not in client.get(buyer_case).content.decode()
    assert client.get(f"{buyer_case}attachments/{attachment.pk}/").status_code == 404
    client.force_login(world.alice)
    portal_case = reverse("disputes:case", args=[claim.number])
    assert "Third complaint" not in client.get(portal_case).content.decode()
    assert client.get(f"{portal_case}attachments/{attachment.pk}/").status_code == 404
    client.force_login(staff.user)
    assert "Third complaint" in client.get(portal_case).content.decode()
    download = client.get(f"{portal_case}attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "image/png"


def test_evidence_is_served_to_the_parties_as_a_download(client, guarantee, world):
    _file_through_the_page(client, guarantee)
    claim = Claim.objects.get()
    attachment = claim.messages.get().attachments.get()
    client.force_login(world.alice)
    url = reverse("disputes:attachment", args=[claim.number, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404


def test_a_party_cannot_use_another_partys_action(client, guarantee, buyer, world):
    claim = services.file_claim(
        actor=buyer, guarantee=guarantee, reason="other", amount="10", description="x"
    )
    token, _new = _buyer_urls(guarantee)
    buyer_case = reverse("claims:case", args=[token, claim.number])
    assert client.post(buyer_case + "decide/", {"outcome": "buyer"}).status_code == 404
    assert client.post(buyer_case + "answer/", {"answer": "refunded"}).status_code == 404
    client.force_login(world.alice)
    portal_case = reverse("disputes:case", args=[claim.number])
    assert client.post(portal_case + "withdraw/", {}).status_code == 404
    assert Claim.objects.get().state == "awaiting_shop"


def test_the_shops_cases_can_be_narrowed_to_one_shop(client, guarantee, buyer, world):
    claim = services.file_claim(
        actor=buyer, guarantee=guarantee, reason="other", amount="10", description="x"
    )
    client.force_login(world.alice)
    mine = client.get(reverse("disputes:list"), {"shop": world.shop.public_id})
    assert claim.number in mine.content.decode()
    other = client.get(reverse("disputes:list"), {"shop": world.other_shop.public_id})
    assert claim.number not in other.content.decode()
