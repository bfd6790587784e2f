"""Create the demo, idempotently: staff, two members with shops and teams, a buyer.

Running it twice gives the same data. `--json` prints the logins and objects
as JSON for scripts and browser tests.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from certification.access import Right
from certification.marks import issue_mark, suspend_mark
from certification.models import (
    LIVE_MARK_STATES,
    Area,
    Member,
    MembershipPlan,
    Shop,
    SuspensionReason,
    TeamMembership,
    TeamRole,
    TrustMark,
)
from certification.services import create_shop
from certification.team import set_rights
from certification.verification import verification_url
from core.history import acting

DEMO_PASSWORD = "trustmark-demo"

STAFF = [
    ("admin@trustmark.example", "Ada Admin", Role.ADMINISTRATOR, "en"),
    ("auditor@trustmark.example", "Arno Auditor", Role.AUDITOR, "de"),
    ("mediator@trustmark.example", "Mira Mediator", Role.MEDIATOR, "fr"),
]

MEMBERS = [
    {
        "member": {
            "legal_name": "Nordlicht Handels GmbH",
            "registration_number": "HRB 123456 B",
            "vat_id": "DE123456789",
            "street": "Friedrichstraße 100",
            "postal_code": "10117",
            "city": "Berlin",
            "country": "DE",
            "contact_email": "kontakt@nordlicht-shop.example",
        },
        "owner": ("owner@nordlicht.example", "Olga Owner", "de"),
        "shops": [
            ("Nordlicht Shop", "nordlicht-shop.de", "de", "DE", "EUR", "plus"),
            ("Nordlicht Boutique", "nordlicht-shop.fr", "fr", "FR", "EUR", "basic"),
        ],
        "employees": [
            # An employee limited to one shop and one area.
            ("employee@nordlicht.example", "Emil Employee", "de", [("cases", 0)]),
        ],
    },
    {
        "member": {
            "legal_name": "Atelier Lumière SARL",
            "registration_number": "RCS Lyon 812 345 678",
            "vat_id": "FR12812345678",
            "street": "12 rue de la République",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "FR",
            "contact_email": "contact@atelier-lumiere.example",
        },
        "owner": ("owner@atelier-lumiere.example", "Louise Lumière", "fr"),
        "shops": [
            ("Atelier Lumière", "atelier-lumiere.fr", "fr", "FR", "EUR", "basic"),
        ],
        "employees": [],
    },
]

BUYER = ("buyer@example.com", "Bruno Buyer", "en")


def _user(email: str, name: str, language: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "language": language, **extra}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the demo as JSON")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        with acting(None, "demo_loaded"):
            summary = self._load()
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS("Demo loaded. Password for every login: " + DEMO_PASSWORD)
        )
        for person in summary["users"]:
            self.stdout.write(f"  {person['email']:<34} {', '.join(person['roles'])}")
        for shop in summary["shops"]:
            self.stdout.write(f"  shop {shop['domain']:<28} public id {shop['public_id']}")

    def _load(self) -> dict[str, Any]:
        users: list[dict[str, Any]] = []
        admin = None
        for email, name, role, language in STAFF:
            user = _user(email, name, language, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
            admin = user if role == Role.ADMINISTRATOR else admin
            users.append({"email": email, "password": DEMO_PASSWORD, "roles": [str(role)]})
        if admin is None:
            raise RuntimeError("the demo needs an administrator")
        plans = {plan.code: plan for plan in MembershipPlan.objects.all()}
        members_out: list[dict[str, Any]] = []
        shops_out: list[dict[str, Any]] = []
        for spec in MEMBERS:
            member, _created = Member.objects.update_or_create(
                legal_name=spec["member"]["legal_name"], defaults=spec["member"]
            )
            owner_email, owner_name, owner_lang = spec["owner"]
            owner = _user(owner_email, owner_name, owner_lang)
            TeamMembership.objects.get_or_create(
                member=member, user=owner, defaults={"role": TeamRole.OWNER}
            )
            users.append(
                {
                    "email": owner_email,
                    "password": DEMO_PASSWORD,
                    "roles": ["owner"],
                    "member": member.legal_name,
                }
            )
            shops = []
            for name, domain, language, market, currency, plan in spec["shops"]:
                shop = Shop.objects.live().filter(domain=domain).first()
                if shop is None:
                    shop = create_shop(
                        actor=admin,
                        member=member,
                        name=name,
                        domain=domain,
                        language=language,
                        target_market=market,
                        currency=currency,
                        plan=plans[plan],
                    )
                shops.append(shop)
                shops_out.append(
                    {
                        "name": shop.name,
                        "domain": shop.domain,
                        "public_id": shop.public_id,
                        "member": member.legal_name,
                        "language": shop.language,
                        "target_market": str(shop.target_market),
                        "plan": shop.plan.code,
                    }
                )
            for email, name, language, grants in spec["employees"]:
                employee = _user(email, name, language)
                TeamMembership.objects.get_or_create(
                    member=member, user=employee, defaults={"role": TeamRole.EMPLOYEE}
                )
                rights = {Right(Area(area).value, shops[index].pk) for area, index in grants}
                set_rights(actor=owner, member=member, person=employee, rights=rights)
                users.append(
                    {
                        "email": email,
                        "password": DEMO_PASSWORD,
                        "roles": ["employee"],
                        "member": member.legal_name,
                        "rights": [{"area": a, "shop": shops[i].domain} for a, i in grants],
                    }
                )
            members_out.append(
                {
                    "id": member.pk,
                    "legal_name": member.legal_name,
                    "owner": owner_email,
                    "shops": [s.domain for s in shops],
                }
            )
        email, name, language = BUYER
        _user(email, name, language)
        users.append({"email": email, "password": DEMO_PASSWORD, "roles": ["buyer"]})
        return {
            "users": users,
            "members": members_out,
            "shops": shops_out,
            "marks": self._marks(admin),
        }

    def _marks(self, admin: User) -> list[dict[str, Any]]:
        """An active mark for nordlicht-shop.de, a suspended one for nordlicht-shop.fr."""
        wanted = {"nordlicht-shop.de": None, "nordlicht-shop.fr": SuspensionReason.UNPAID_FEES}
        for domain, suspension in wanted.items():
            shop = Shop.objects.live().get(domain=domain)
            if not shop.marks.filter(state__in=LIVE_MARK_STATES).exists():
                mark = issue_mark(shop=shop, actor=admin)
                if suspension:
                    suspend_mark(
                        mark=mark,
                        actor=admin,
                        reason=suspension,
                        note="Demo: invoice 2026-17 unpaid",
                    )
        marks = TrustMark.objects.select_related("shop").order_by("number")
        return [
            {
                "number": mark.number,
                "state": mark.state,
                "shop": mark.shop.domain,
                "shop_public_id": mark.shop.public_id,
                "verification_url": verification_url(mark.number),
                "badge_url": f"{settings.SITE_URL}/badge/{mark.shop.public_id}.svg",
            }
            for mark in marks
        ]
