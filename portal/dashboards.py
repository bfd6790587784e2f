"""What each dashboard block reads, per role; the query count does not grow with rows.

The portal reads the domain apps through their selectors and access modules only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from audits import selectors as audit_selectors
from certification import selectors as cert_selectors
from certification.access import GrantPolicy, shops_visible_to, shops_with_right
from certification.models import Area, Member, Shop, TrustMark, VerificationDocument
from disputes import selectors as dispute_selectors
from disputes.access import claims_for_shop_people
from guarantees import selectors as guarantee_selectors

CLAIMS_SHOWN = 10
EXPIRING_DAYS = 30


@dataclass
class ShopCard:
    """One shop on a merchant's dashboard, with only the areas the person holds on it."""

    shop: Shop
    sees_documents: bool = False
    sees_audits: bool = False
    sees_cases: bool = False
    mark: TrustMark | None = None
    document: VerificationDocument | None = None
    audit: Any = None
    may_apply: bool = False


@dataclass
class MemberCard:
    member: Member
    policy: GrantPolicy
    shops: list[ShopCard] = field(default_factory=list)


@dataclass
class MerchantDashboard:
    members: list[MemberCard]
    holds_cases: bool
    claims: list[Any]
    claims_count: int
    guarantee_totals: list[dict[str, Any]]


def _ids(shops: Any) -> set[int]:
    return set(shops.values_list("pk", flat=True))


def merchant_dashboard(user: Any) -> MerchantDashboard:
    """Per member and shop: the mark, the latest document, the audit in progress; then the
    claims waiting for the shop's answer and the guarantee totals (cases right only)."""
    members = list(cert_selectors.members_for_dashboard(user))
    shops = list(
        shops_visible_to(user)
        .filter(closed_at__isnull=True)
        .select_related("member")
        .order_by("member__legal_name", "domain")
    )
    documents_ids = _ids(shops_with_right(user, Area.DOCUMENTS))
    audits_ids = _ids(shops_with_right(user, Area.AUDITS))
    cases_ids = _ids(shops_with_right(user, Area.CASES))
    visible = [shop.pk for shop in shops]
    marks: dict[int, TrustMark] = {}
    latest: dict[int, VerificationDocument] = {}
    audits: dict[int, Any] = {}
    if documents_ids or audits_ids:
        marks = cert_selectors.live_marks(
            Shop.objects.filter(pk__in=(documents_ids | audits_ids).intersection(visible))
        )
    if documents_ids:
        with_documents = Shop.objects.filter(pk__in=documents_ids.intersection(visible))
        latest = cert_selectors.latest_documents(with_documents)
    if audits_ids:
        audits = {a.shop_id: a for a in audit_selectors.open_audits_for_merchant(user)}

    by_member: dict[int, list[ShopCard]] = defaultdict(list)
    for shop in shops:
        card = ShopCard(
            shop=shop,
            sees_documents=shop.pk in documents_ids,
            sees_audits=shop.pk in audits_ids,
            sees_cases=shop.pk in cases_ids,
        )
        mark = marks.get(shop.pk)
        card.may_apply = mark is None or not mark.is_live
        if card.sees_documents:
            card.mark = mark
            card.document = latest.get(shop.pk)
        if card.sees_audits:
            card.audit = audits.get(shop.pk)
        by_member[shop.member_id].append(card)

    holds_cases = bool(cases_ids)
    claims: list[Any] = []
    claims_count = 0
    totals: list[dict[str, Any]] = []
    if holds_cases:
        waiting = dispute_selectors.awaiting_shop_answer(claims_for_shop_people(user))
        claims = list(waiting[:CLAIMS_SHOWN])
        claims_count = waiting.count()
        totals = guarantee_selectors.totals_by_currency(guarantee_selectors.guarantees_for(user))
    return MerchantDashboard(
        members=[
            MemberCard(member=m, policy=GrantPolicy.of(user, m), shops=by_member[m.pk])
            for m in members
        ],
        holds_cases=holds_cases,
        claims=claims,
        claims_count=claims_count,
        guarantee_totals=totals,
    )


def auditor_dashboard(user: Any) -> dict[str, int]:
    return audit_selectors.audit_queue_counts(user=user)


def mediator_dashboard(user: Any) -> dict[str, int]:
    return dispute_selectors.mediation_counts(user=user)


def administrator_dashboard() -> dict[str, Any]:
    return {
        "figures": cert_selectors.mark_overview(expiring_days=EXPIRING_DAYS),
        "expiring_days": EXPIRING_DAYS,
        "expiring": cert_selectors.expiring_marks(days=EXPIRING_DAYS),
        "suspended": cert_selectors.suspended_marks(),
        "misuse": cert_selectors.top_badge_misuse(),
        "recourse": dispute_selectors.recourse_balances()[:5],
    }
