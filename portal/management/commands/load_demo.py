"""Create the demo, idempotently: staff, two members with shops and teams, a buyer.

Running it twice gives the same data. `--json` prints the logins and objects
as JSON for scripts and browser tests.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import second_factor
from accounts.models import User
from accounts.roles import Role
from audits import services as audit_services
from audits.models import Audit, FindingResult
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
from disputes import services as disputes
from disputes.access import CaseActor, buyer_of
from disputes.models import Claim, Party
from disputes.payouts import approve_payout, mark_paid
from guarantees.checkout import checkout_url, shop_secret
from guarantees.keys import create_api_key
from guarantees.links import page_token, page_url
from guarantees.models import ApiKey, Channel, Guarantee
from guarantees.services import Purchase, cancel_guarantee, register_guarantee

DEMO_PASSWORD = "trustmark-demo"
DEMO_API_KEY = "tmk_demo0000cafe_trustmark-demo-api-key-not-secret"

STAFF = [
    ("admin@trustmark.example", "Ada Admin", Role.ADMINISTRATOR, "en"),
    ("auditor@trustmark.example", "Arno Auditor", Role.AUDITOR, "de"),
    ("auditor2@trustmark.example", "Alma Second-Auditor", Role.AUDITOR, "en"),
    ("mediator@trustmark.example", "Mira Mediator", Role.MEDIATOR, "fr"),
    ("moderator@trustmark.example", "Moritz Moderator", Role.MODERATOR, "de"),
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
            ("Nordlicht Outlet", "nordlicht-outlet.de", "de", "DE", "EUR", "basic"),
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

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary = self._load()
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary["webhooks"] = self._webhooks()
        # Documents are rendered after commit: list the audits once they exist.
        summary["audits"] = self._audit_summary()
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary["guarantees"] = self._guarantees()
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary["claims"] = self._claims()
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary["reviews"] = self._reviews()
        with transaction.atomic(), acting(None, "demo_loaded"):
            summary["quality"] = self._quality()
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS("Demo loaded. Password for every login: " + DEMO_PASSWORD)
        )
        for person in summary["users"]:
            totp = f"  TOTP secret {person['totp']}" if "totp" in person else ""
            self.stdout.write(f"  {person['email']:<34} {', '.join(person['roles'])}{totp}")
        for shop in summary["shops"]:
            self.stdout.write(f"  shop {shop['domain']:<28} public id {shop['public_id']}")

    @staticmethod
    def _quality() -> dict[str, Any]:
        """A year of indicators: one shop per zone; the red one (with a live mark) up for review."""
        from quality.demo import seed_demo

        zones = {
            "green": "atelier-lumiere.fr",
            "yellow": "nordlicht-shop.fr",
            "red": "nordlicht-shop.de",
        }
        shops = {zone: Shop.objects.live().get(domain=domain) for zone, domain in zones.items()}
        result = seed_demo(shops)
        return {"zones": zones, "mark_reviews_opened": result.get("reviews_opened", 0)}

    @staticmethod
    def _reviews() -> dict[str, Any]:
        """Reviews in every state on the first shop, one-criterion reviews on the French one."""
        from reviews import demo

        shops = {shop.domain: shop for shop in Shop.objects.live().select_related("member")}
        owners = {
            membership.member_id: membership.user
            for membership in TeamMembership.objects.filter(role=TeamRole.OWNER).select_related(
                "user"
            )
        }
        return demo.load(
            shops=shops,
            owners={domain: owners.get(shop.member_id) for domain, shop in shops.items()},
            moderator=User.objects.get(email="moderator@trustmark.example"),
            admin=User.objects.get(email="admin@trustmark.example"),
        )

    def _webhooks(self) -> dict[str, Any]:
        """An endpoint for the first member, pointed at the demo's own receiver (DEBUG only;
        plain HTTP to 127.0.0.1 needs WEBHOOKS_ALLOW_HTTP and WEBHOOKS_ALLOW_LOOPBACK)."""
        from certification.integrations import add_endpoint
        from core.errors import DomainError
        from notifications.models import WebhookEndpoint
        from notifications.webhooks import EVENT_TYPES

        owner = User.objects.get(email="owner@nordlicht.example")
        member = Member.objects.get(team__user=owner, team__role=TeamRole.OWNER)
        url = settings.SITE_URL + "/demo/webhook-receiver/"
        if not WebhookEndpoint.objects.filter(member=member, url=url).exists():
            try:
                add_endpoint(
                    actor=owner,
                    member=member,
                    url=url,
                    event_types=[t for t in EVENT_TYPES if t != "ping"],
                    description="Demo receiver",
                )
            except DomainError as exc:
                return {"url": url, "skipped": exc.message}
        return {"url": url, "member": member.legal_name}

    def _load(self) -> dict[str, Any]:
        users: list[dict[str, Any]] = []
        admin = None
        for email, name, role, language in STAFF:
            user = _user(email, name, language, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
            admin = user if role == Role.ADMINISTRATOR else admin
            secret = second_factor.totp_secret(second_factor.ensure_totp(user=user))
            users.append(
                {"email": email, "password": DEMO_PASSWORD, "roles": [str(role)], "totp": secret}
            )
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
        audits = self._audits()
        return {
            "users": users,
            "members": members_out,
            "shops": shops_out,
            "marks": self._marks(admin),
            "audits": audits,
        }

    def _audits(self) -> list[dict[str, Any]]:
        """An approved audit (with its mark and documents), one with findings sent, one queued."""
        reviewer = User.objects.get(email="auditor@trustmark.example")
        approver = User.objects.get(email="auditor2@trustmark.example")
        approved_shop = Shop.objects.live().get(domain="nordlicht-shop.de")
        owner = User.objects.get(email="owner@nordlicht.example")
        if not Audit.objects.filter(shop=approved_shop).exists():
            audit = audit_services.request_audit(shop=approved_shop, actor=owner)
            audit_services.assign_audit(audit=audit, actor=reviewer, auditor=reviewer)
            audit_services.start_review(audit=audit, actor=reviewer)
            self._decide(audit, reviewer, unmet=("ORDER-03", "ADR-02"))
            audit_services.send_findings(audit=audit, actor=reviewer)
            answers = {
                f.pk: "Done: see the updated checkout page."
                for f in audit.findings.filter(result=FindingResult.NOT_MET)
            }
            audit_services.resubmit(audit=audit, actor=owner, answers=answers)
            audit_services.resume_review(audit=audit, actor=reviewer)
            self._decide(audit, reviewer, unmet=("ADR-02",))
            audit_services.approve(audit=audit, actor=approver, note="Demo approval")
        findings_shop = Shop.objects.live().get(domain="atelier-lumiere.fr")
        if not Audit.objects.filter(shop=findings_shop).exists():
            other_owner = User.objects.get(email="owner@atelier-lumiere.example")
            audit = audit_services.request_audit(shop=findings_shop, actor=other_owner)
            audit_services.assign_audit(audit=audit, actor=reviewer, auditor=reviewer)
            audit_services.start_review(audit=audit, actor=reviewer)
            self._decide(audit, reviewer, unmet=("IDENT-04", "WITHDR-02", "DATA-03", "ACCESS-01"))
            audit_services.send_findings(audit=audit, actor=reviewer)
        queued_shop = Shop.objects.live().get(domain="nordlicht-outlet.de")
        if not Audit.objects.filter(shop=queued_shop).exists():
            audit_services.request_audit(shop=queued_shop, actor=owner)
        return self._audit_summary()

    @staticmethod
    def _audit_summary() -> list[dict[str, Any]]:
        audits = Audit.objects.select_related("shop", "mark").order_by("pk")
        return [
            {
                "id": audit.pk,
                "shop": audit.shop.domain,
                "state": audit.state,
                "mark": audit.mark.number if audit.mark else None,
                "documents": list(
                    audit.documents.order_by("document__version").values_list(
                        "document__version", flat=True
                    )
                ),
            }
            for audit in audits
        ]

    def _guarantees(self) -> dict[str, Any]:
        """A demo API key (printed: the one place a key is shown again) and some guarantees."""
        shop = Shop.objects.live().get(domain="nordlicht-shop.de")
        owner = User.objects.get(email="owner@nordlicht.example")
        if not ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
            create_api_key(shop=shop, actor=owner, name="Demo checkout", demo_secret=DEMO_API_KEY)
        today = timezone.localdate()
        wanted = [
            ("DEMO-1001", "89.90", "basic", 2, None),
            ("DEMO-1002", "1249.00", "plus", 5, None),
            ("DEMO-1003", "35.50", "basic", 1, "cancel"),
            ("DEMO-1004", "149.00", "basic", 4, None),
            ("DEMO-1005", "640.00", "plus", 3, None),
        ]
        for reference, amount, plan, days_ago, then in wanted:
            if Guarantee.objects.filter(shop=shop, order_reference=reference).exists():
                continue
            guarantee = register_guarantee(
                shop=shop,
                purchase=Purchase(
                    order_reference=reference,
                    amount=amount,
                    currency="EUR",
                    buyer_email=BUYER[0],
                    buyer_name=BUYER[1],
                    purchase_date=today - timedelta(days=days_ago),
                    plan=plan,
                ),
                channel=Channel.API,
                buyer=User.objects.get(email=BUYER[0]),
            )
            if then == "cancel":
                cancel_guarantee(guarantee=guarantee, actor=guarantee.buyer)
        checkout_count = Guarantee.objects.filter(shop=shop, channel=Channel.CHECKOUT).count()
        return {
            "checkout_link": checkout_url(
                shop=shop,
                order=f"DEMO-CHECKOUT-{checkout_count + 1}",
                amount="149.90",
                currency="EUR",
                email=BUYER[0],
                purchase_date=today,
            ),
            "checkout_secret": shop_secret(shop),
            "buyer_registration": f"{settings.SITE_URL}"
            f"{reverse('guarantees:register', args=[shop.public_id])}",
            "api_key": DEMO_API_KEY,
            "api_key_shop": shop.domain,
            "items": [
                {
                    "number": g.number,
                    "order_reference": g.order_reference,
                    "state": g.state,
                    "cover_amount": str(g.cover_amount),
                    "cover_until": g.cover_until.isoformat(),
                    "buyer_page": page_url(g.number),
                }
                for g in Guarantee.objects.filter(shop=shop).order_by("number")
            ],
        }

    def _claims(self) -> list[dict[str, Any]]:
        """Cases in several states, each reached through the services as people would."""
        shop = Shop.objects.live().get(domain="nordlicht-shop.de")
        owner = CaseActor(User.objects.get(email="owner@nordlicht.example"), Party.SHOP)
        mediator = CaseActor(User.objects.get(email="mediator@trustmark.example"), Party.STAFF)
        admin = CaseActor(User.objects.get(email="admin@trustmark.example"), Party.STAFF)
        stories = {
            "DEMO-1002": ("not_as_described", "1249.00", "The sofa came with a torn cushion."),
            "DEMO-1004": ("not_delivered", "100.00", "Nothing arrived after two weeks."),
            "DEMO-1005": ("refund_missing", "640.00", "I sent the bike back; no refund yet."),
        }
        for reference, (reason, amount, text) in stories.items():
            guarantee = Guarantee.objects.get(shop=shop, order_reference=reference)
            if guarantee.claims.exists():
                continue
            claim = disputes.file_claim(
                actor=buyer_of(guarantee, guarantee.buyer),
                guarantee=guarantee,
                reason=reason,
                amount=amount,
                description=text,
                language="en",
            )
            if reference == "DEMO-1002":
                continue  # waits for the shop
            claim = disputes.answer_claim(
                actor=owner, claim=claim, answer="disputed", text="Our records show otherwise."
            )
            claim = disputes.reject_answer(
                actor=buyer_of(guarantee, guarantee.buyer), claim=claim, reason="That is wrong."
            )
            if reference == "DEMO-1004":
                continue  # in mediation
            claim = disputes.decide_claim(
                actor=mediator, claim=claim, for_buyer=True, reason="The return was tracked."
            )
            payout = approve_payout(actor=admin, payout=claim.payout)
            mark_paid(actor=admin, payout=payout, reference="DEMO-SEPA-0001")
        return [
            {
                "number": claim.number,
                "order_reference": claim.guarantee.order_reference,
                "state": claim.state,
                "buyer_case": settings.SITE_URL
                + reverse("claims:case", args=[page_token(claim.guarantee.number), claim.number]),
            }
            for claim in Claim.objects.filter(shop=shop).select_related("guarantee").order_by("pk")
        ]

    @staticmethod
    def _decide(audit: Audit, reviewer: User, *, unmet: tuple[str, ...]) -> None:
        for finding in audit.findings.select_related("criterion"):
            result = FindingResult.NOT_MET if finding.criterion.code in unmet else FindingResult.MET
            if finding.result != result:
                audit_services.record_finding(
                    finding=finding, actor=reviewer, result=result, note="Demo review"
                )

    def _marks(self, admin: User) -> list[dict[str, Any]]:
        """A suspended mark for nordlicht-shop.fr (nordlicht-shop.de gets its own by audit)."""
        wanted = {"nordlicht-shop.fr": SuspensionReason.UNPAID_FEES}
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
