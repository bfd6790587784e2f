import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.marks import issue_mark
from certification.models import TrustMark
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_mark_pages_are_for_certifier_staff_only(client, world, active_mark, admin_user, auditor):
    urls = [reverse("portal:mark_list"), reverse("portal:mark_detail", args=[active_mark.number])]
    for person, status in (
        (admin_user, 200),
        (auditor, 200),
        (world.alice, 404),
        (world.charlie, 404),
    ):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == status, (person, url)


def test_an_administrator_suspends_and_reinstates_from_the_portal(client, active_mark, admin_user):
    client.force_login(admin_user)
    suspend = reverse("portal:mark_action", args=[active_mark.number, "suspend"])
    response = client.post(suspend, {"reason": "unpaid_fees", "note": "invoice 12"}, follow=True)
    assert "The mark is suspended." in response.content.decode()
    assert TrustMark.objects.get(pk=active_mark.pk).state == "suspended"
    reinstate = reverse("portal:mark_action", args=[active_mark.number, "reinstate"])
    empty = client.post(reinstate, {"note": ""}, follow=True)
    assert "This field is required" in empty.content.decode()
    assert TrustMark.objects.get(pk=active_mark.pk).state == "suspended"
    client.post(reinstate, {"note": "paid"})
    assert TrustMark.objects.get(pk=active_mark.pk).state == "active"


def test_an_auditor_cannot_suspend_and_is_told_why(client, active_mark, auditor):
    client.force_login(auditor)
    url = reverse("portal:mark_action", args=[active_mark.number, "suspend"])
    response = client.post(url, {"reason": "unpaid_fees"}, follow=True)
    assert "Administrator role" in response.content.decode()
    assert TrustMark.objects.get(pk=active_mark.pk).state == "active"


def test_the_owner_sees_the_badge_snippet_and_an_employee_without_documents_does_not(
    client, world, active_mark
):
    url = reverse("portal:shop_detail", args=[world.shop.public_id])
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert f"/badge/{world.shop.public_id}.svg" in page
    assert f"/verify/{active_mark.number}/" in page
    client.force_login(world.bob)
    page = client.get(url).content.decode()
    assert "badge-snippet" not in page


def test_mark_list_query_count_does_not_grow(client, admin_user):
    client.force_login(admin_user)
    url = reverse("portal:mark_list")
    issue_mark(shop=ShopFactory(), actor=admin_user)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        issue_mark(shop=ShopFactory(), actor=admin_user)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"state": "active"})
    assert len(many.captured_queries) == len(few.captured_queries)
