import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from audits.models import Audit
from certification.access import shops_visible_to
from certification.models import Invitation, Member, Shop, TeamMembership, TrustMark
from reviews.demo import PEER_MEMBER
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("email", flat=True)),
        sorted(Member.objects.values_list("legal_name", flat=True)),
        sorted(Shop.objects.values_list("domain", "public_id")),
        sorted(TeamMembership.objects.values_list("member__legal_name", "user__email", "role")),
        sorted(Audit.objects.values_list("shop__domain", "state")),
        sorted(TrustMark.objects.values_list("number", "state")),
    )


def test_load_demo_twice_gives_the_same_data():
    PlanFactory(code="basic")
    PlanFactory(code="plus", name="Trustmark Plus")
    out = StringIO()
    call_command("load_demo", "--json", stdout=out)
    first = _snapshot()
    data = json.loads(out.getvalue())
    again = StringIO()
    call_command("load_demo", "--json", stdout=again)
    assert _snapshot() == first
    # Staff come with a TOTP device; its secret is printed and stays the same on a reload.
    staff = [u for u in data["users"] if u["email"].endswith("@trustmark.example")]
    assert staff
    assert all(len(u["totp"]) == 32 for u in staff)
    assert [u.get("totp") for u in json.loads(again.getvalue())["users"]] == [
        u.get("totp") for u in data["users"]
    ]
    assert Invitation.objects.count() == 0
    roles = {tuple(u["roles"]) for u in data["users"]}
    assert {
        ("administrator",),
        ("auditor",),
        ("mediator",),
        ("owner",),
        ("employee",),
        ("buyer",),
    } <= roles
    assert len(data["members"]) == 2
    assert {a["state"] for a in data["audits"]} == {"approved", "findings_sent", "requested"}
    assert {m["state"] for m in data["marks"]} == {"active", "suspended"}
    # Every shop is listed, but the review benchmark's ten peers (listed under "reviews").
    peers = Shop.objects.filter(member__legal_name=PEER_MEMBER)
    assert peers.count() == data["reviews"]["benchmark_peers_created"] == 10
    assert {s["public_id"] for s in data["shops"]} == set(
        Shop.objects.exclude(pk__in=peers).values_list("public_id", flat=True)
    )


def test_demo_employee_sees_one_shop_and_owners_are_isolated():
    call_command("load_demo", stdout=StringIO())
    employee = User.objects.get(email="employee@nordlicht.example")
    assert [s.domain for s in shops_visible_to(employee)] == ["nordlicht-shop.de"]
    other_owner = User.objects.get(email="owner@atelier-lumiere.example")
    assert [s.domain for s in shops_visible_to(other_owner)] == ["atelier-lumiere.fr"]
    for person in User.objects.all():
        assert person.check_password("trustmark-demo")
