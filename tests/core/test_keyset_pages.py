"""Lists paged by key (core/pagination.py): the "next" link leads to the rows after the last
one shown, keeps the filters, and a changed cursor is a clear 400 page, never a 500."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.pagination import InvalidCursor, Keyset
from disputes import services as claims
from disputes.access import buyer_of
from disputes.models import Claim
from guarantees.models import Guarantee
from tests.factories import UserFactory
from tests.guarantees.helpers import register_many

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="(\?[^"]*)" rel="next"')


def next_link(response) -> str | None:
    found = NEXT.search(response.content.decode())
    return html.unescape(found.group(1)) if found else None


def numbers(response) -> list[str]:
    return [row.number for row in response.context["page"].object_list]


def file_claims(shop, n: int) -> None:
    for guarantee in register_many(shop, n):
        claims.file_claim(
            actor=buyer_of(guarantee),
            guarantee=guarantee,
            reason="not_delivered",
            amount="20.00",
            description="The parcel never came.",
        )


def _walk(client, url: str, params: dict) -> tuple[list[str], list[str], str]:
    first = client.get(url, params)
    link = next_link(first)
    assert link is not None
    second = client.get(url + link)
    assert second.status_code == 200
    return numbers(first), numbers(second), link


def test_page_two_of_the_mediation_queue_shows_the_next_cases_with_the_filters(
    client, world, active_mark, mediator
):
    file_claims(world.shop, 30)
    client.force_login(mediator)
    url = reverse("disputes:queue")
    every = numbers(client.get(url, {"state": "awaiting_shop"}))  # 25 a page
    first, second, link = _walk(client, url, {"state": "awaiting_shop"})
    assert first == every
    assert len(first) == 25
    assert len(second) == 5
    assert not set(first) & set(second)
    assert "state=awaiting_shop" in link
    assert next_link(client.get(url + link)) is None  # the last page has no next
    in_order = list(Claim.objects.order_by("shop_due_at", "pk").values_list("number", flat=True))
    assert first + second == in_order


def test_page_two_of_the_member_guarantee_list_shows_the_next_guarantees(
    client, world, active_mark
):
    register_many(world.shop, 55)
    client.force_login(world.alice)
    url = reverse("guarantee_portal:list")
    first, second, link = _walk(client, url, {"plan": "basic"})
    assert "plan=basic" in link
    newest_first = list(
        Guarantee.objects.order_by("-created_at", "-pk").values_list("number", flat=True)
    )
    assert first + second == newest_first
    assert (len(first), len(second)) == (50, 5)


def test_guarantees_registered_in_the_same_instant_are_neither_skipped_nor_repeated(
    client, world, active_mark
):
    """The id breaks ties: a page boundary inside a run of equal timestamps loses nothing."""
    register_many(world.shop, 53)
    same = timezone.now() - timedelta(days=1)
    Guarantee.objects.update(created_at=same)
    client.force_login(world.alice)
    first, second, _link = _walk(client, reverse("guarantee_portal:list"), {})
    assert sorted(first + second) == sorted(Guarantee.objects.values_list("number", flat=True))
    assert len(set(first + second)) == 53


def test_page_two_of_my_guarantees_shows_the_older_ones(client, world, active_mark):
    buyer = UserFactory(email="ines@example.org")
    register_many(world.shop, 52, buyer_email="ines@example.org")
    client.force_login(buyer)
    url = reverse("guarantees:mine")
    first = client.get(url)
    link = next_link(first)
    second = client.get(url + link)
    shown = [row["guarantee"].number for row in first.context["rows"]]
    shown += [row["guarantee"].number for row in second.context["rows"]]
    newest_first = Guarantee.objects.order_by("-created_at", "-pk")
    assert shown == list(newest_first.values_list("number", flat=True))
    assert "First page" in second.content.decode()


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("disputes:queue", "mediator"),
        ("guarantee_portal:list", "alice"),
        ("guarantees:mine", "alice"),
    ],
)
def test_a_changed_or_foreign_cursor_is_a_400_page_naming_the_problem(
    client, world, active_mark, mediator, name, who
):
    register_many(world.shop, 3)
    client.force_login(mediator if who == "mediator" else world.alice)
    url = reverse(name)
    foreign = Keyset("another-list", ("-created_at", "-pk"), per_page=5).cursor_after(
        Guarantee.objects.first()
    )
    genuine = Keyset("member-guarantees", ("-created_at", "-pk"), per_page=50).cursor_after(
        Guarantee.objects.first()
    )
    changed = genuine.replace(genuine[3], "A" if genuine[3] != "A" else "B", 1)
    for cursor in (foreign, changed, "garbage", genuine[:-3], genuine + "x"):
        if name == "guarantee_portal:list" and cursor == genuine:
            continue
        response = client.get(url, {"cursor": cursor, "state": ""})
        assert response.status_code == 400, cursor
        text = response.content.decode()
        assert "This page link is not valid" in text
        assert "First page" in text


def test_the_cursor_of_the_list_itself_is_accepted(client, world, active_mark):
    register_many(world.shop, 3)
    client.force_login(world.alice)
    genuine = Keyset("member-guarantees", ("-created_at", "-pk"), per_page=50).cursor_after(
        Guarantee.objects.order_by("-created_at", "-pk").first()
    )
    response = client.get(reverse("guarantee_portal:list"), {"cursor": genuine})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_a_keyset_refuses_mixed_directions_and_values_it_cannot_carry():
    with pytest.raises(ValueError, match="same way"):
        Keyset("x", ("-created_at", "pk"), per_page=5)
    keys = Keyset("x", ("created_at", "pk"), per_page=5)
    with pytest.raises(InvalidCursor):
        keys.decode(keys.cursor_after(type("Row", (), {"created_at": 1, "pk": 2})())[:-1])
    with pytest.raises(TypeError):
        keys.cursor_after(type("Row", (), {"created_at": 1.5, "pk": 2})())
