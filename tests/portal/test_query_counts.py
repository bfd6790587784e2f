"""List pages make the same number of queries for many rows as for few."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.access import Right
from certification.models import Area
from certification.team import invite_person, set_rights
from tests.factories import ShopFactory, UserFactory, join

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_team_page_query_count_does_not_grow_with_the_team(client, world):
    client.force_login(world.alice)
    url = reverse("portal:team", args=[world.member.pk])
    client.get(url)  # the first page of a session reads what later pages find cached
    few = _queries(client, url)
    for n in range(15):
        person = UserFactory()
        join(world.member, person)
        set_rights(
            actor=world.alice,
            member=world.member,
            person=person,
            rights={Right(Area.CASES, world.shop.pk), Right(Area.AUDITS)},
        )
        invite_person(actor=world.alice, member=world.member, email=f"invitee{n}@example.com")
    many = _queries(client, url)
    assert many == few


def test_shop_list_query_count_does_not_grow_with_shops(client, world, auditor):
    client.force_login(auditor)
    url = reverse("portal:shop_list")
    client.get(url)  # the first page of a session reads what later pages find cached
    few = _queries(client, url)
    for _ in range(25):
        ShopFactory()
    assert _queries(client, url) == few


def test_shop_list_for_an_owner_does_not_grow_with_shops(client, world):
    client.force_login(world.alice)
    url = reverse("portal:shop_list")
    client.get(url)  # the first page of a session reads what later pages find cached
    few = _queries(client, url)
    for _ in range(25):
        ShopFactory(member=world.member)
    assert _queries(client, url) == few
