"""One world of data for the access matrix: two members, their people, and the staff.

Member A (alice) owns the objects every URL is asked about; member B (bea) is the other
member; the buyer holds a guarantee at B's shop only. Built through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.roles import Role
from audits.services import request_audit
from certification.access import Right
from certification.marks import issue_mark
from certification.models import Area, Member, Shop, TeamRole
from certification.team import invite_person, set_rights
from disputes import services as disputes
from disputes.access import buyer_of
from guarantees.keys import create_api_key
from guarantees.services import register_guarantee
from notifications.models import OutgoingMessage
from notifications.webhooks import create_endpoint
from tests.factories import MemberFactory, ShopFactory, UserFactory, join, staff_user
from tests.guarantees.helpers import purchase
from tests.reviews.helpers import invitation as review_invitation
from tests.reviews.helpers import review as shop_review
from tests.reviews.helpers import reviews_on

STAFF = ("auditor", "mediator", "moderator", "administrator")
# Everyone asked about each URL; "owner_a" and "employee_a" hold the right, the others not.
OUTSIDERS = ("buyer", "owner_b", "employee_b", "employee_no_area", "employee_other_shop")
PEOPLE = ("anonymous", *OUTSIDERS, *STAFF, "owner_a", "employee_a")


@dataclass
class World:
    member: Member
    shop: Shop
    other_shop: Shop
    shop_b: Shop
    people: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)

    def grant_for(self, area: str | None) -> None:
        """A's employees for a row: with the area on the shop, without it, on the other shop."""
        owner = self.people["owner_a"]
        every = set(Area.values)
        cells = {
            "employee_a": {area} if area else every,
            "employee_no_area": every - {area} if area else set(),
        }
        for name, areas in cells.items():
            rights = {Right(a, self.shop.pk) for a in areas}
            set_rights(actor=owner, member=self.member, person=self.people[name], rights=rights)
        other = {Right(area or Area.CASES, self.other_shop.pk)}
        set_rights(
            actor=owner, member=self.member, person=self.people["employee_other_shop"], rights=other
        )


def build_world() -> World:
    member = MemberFactory(legal_name="Nordlicht Handels GmbH")
    shop = ShopFactory(member=member, domain="nordlicht.example", language="en")
    other_shop = ShopFactory(member=member, domain="nordlicht-boutique.example")
    member_b = MemberFactory(legal_name="Atelier Lumière SARL")
    shop_b = ShopFactory(member=member_b, domain="lumiere.example")
    people: dict[str, Any] = {role: staff_user(role) for role in STAFF}
    people["administrator"] = staff_user(Role.ADMINISTRATOR)
    for name, team, role in (
        ("owner_a", member, TeamRole.OWNER),
        ("employee_a", member, TeamRole.EMPLOYEE),
        ("employee_no_area", member, TeamRole.EMPLOYEE),
        ("employee_other_shop", member, TeamRole.EMPLOYEE),
        ("owner_b", member_b, TeamRole.OWNER),
        ("employee_b", member_b, TeamRole.EMPLOYEE),
    ):
        people[name] = UserFactory()
        join(team, people[name], role)
    set_rights(
        actor=people["owner_b"],
        member=member_b,
        person=people["employee_b"],
        rights={Right(a, shop_b.pk) for a in Area.values},
    )
    world = World(member, shop, other_shop, shop_b, people)
    o = world.objects
    o["audit"] = request_audit(shop=shop, actor=people["owner_a"])
    o["mark"] = issue_mark(shop=shop, actor=people["administrator"])
    issue_mark(shop=shop_b, actor=people["administrator"])
    o["guarantee"] = register_guarantee(
        shop=shop, purchase=purchase(order_reference="ORD-M-1", amount="90.00"), channel="api"
    )
    people["buyer"] = UserFactory()
    register_guarantee(
        shop=shop_b,
        purchase=purchase(
            order_reference="ORD-M-2", amount="40.00", buyer_email=people["buyer"].email
        ),
        channel="api",
    )
    o["claim"] = disputes.file_claim(
        actor=buyer_of(o["guarantee"]),
        guarantee=o["guarantee"],
        reason="not_delivered",
        amount="90.00",
        description="Nothing arrived.",
    )
    o["endpoint"] = create_endpoint(
        member=member,
        url="https://hooks.nordlicht.example/in",
        event_types=["mark.issued"],
        shops=[shop],
    )
    o["api_key"] = create_api_key(shop=shop, actor=people["owner_a"], name="erp")[0]
    o["api_secret_b"] = create_api_key(shop=shop_b, actor=people["owner_b"], name="erp")[1]
    o["team_invitation"] = invite_person(
        actor=people["owner_a"], member=member, email="dora@nordlicht.example"
    )
    o["message"] = OutgoingMessage.objects.create(
        template="audit_changed",
        to_email=people["owner_a"].email,
        recipient=people["owner_a"],
        subject="Your audit changed",
        body_text="Hello.",
    )
    reviews_on(shop)
    o["review"] = shop_review(shop, service=2, comment="Slow.")
    o["review_invitation"] = review_invitation(shop)
    return world
