"""Staff search: one box finds members, shops, marks, audits, guarantees and cases.

One query per kind the person's role may see, each cut at `LIMIT` rows, so a
search costs the same on ten rows as on ten million. Which staff role sees
which kind follows certification.access.STAFF_AREAS (administrators see all).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import idna
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, user_has_role
from audits.models import Audit
from certification.access import is_staff_viewer, staff_sees_area
from certification.domains import display_domain, normalise_domain
from certification.models import Area, Member, Shop, TeamMembership, TrustMark
from disputes.models import Claim
from guarantees.models import Guarantee

LIMIT = 20
MAX_QUERY_LENGTH = 200
# Below this length only exact numbers match: "1" must not scan every order reference.
MIN_PARTIAL_LENGTH = 3


def may_search(user: Any) -> bool:
    """Certifier staff with a staff role; for everyone else the search does not exist."""
    return bool(getattr(user, "is_staff", False)) and is_staff_viewer(user)


def clean_query(raw: str) -> str:
    """What the box sent, fit for the database: no NUL, trimmed, bounded."""
    return " ".join(raw.replace("\x00", "").split())[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class Terms:
    """The query read in each of the ways the kinds match it."""

    text: str
    partial: bool
    domains: tuple[str, ...]
    audit_id: int | None

    @classmethod
    def of(cls, query: str) -> Terms:
        partial = len(query) >= MIN_PARTIAL_LENGTH
        digits = query.removeprefix("#")
        audit_id = int(digits) if digits.isdigit() and len(digits) < 10 else None
        return cls(query, partial, _domain_terms(query) if partial else (), audit_id)

    def domain_q(self, path: str) -> Q:
        match = Q()
        for term in self.domains:
            match |= Q(**{f"{path}__icontains": term})
        return match


def _domain_terms(query: str) -> tuple[str, ...]:
    """The text itself, and its canonical ASCII form: "https://Müller.de/x" → "xn--mller-kva.de"."""
    terms = {query.lower()}
    try:
        terms.add(normalise_domain(query))
    except ValidationError:
        with contextlib.suppress(idna.IDNAError, UnicodeError, ValueError):
            terms.add(idna.encode(query.strip(".").lower(), uts46=True).decode("ascii"))
    return tuple(sorted(t for t in terms if t))


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str
    state: str = ""
    state_label: str = ""
    extra_links: tuple[tuple[str, str], ...] = ()


@dataclass
class Group:
    kind: str
    label: Any
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


def _members(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = Q(registration_number__iexact=terms.text) | Q(vat_id__iexact=terms.text)
    if "@" in terms.text:
        people = TeamMembership.objects.filter(user__email__iexact=terms.text)
        match |= Q(contact_email__iexact=terms.text) | Q(pk__in=people.values("member_id"))
    if terms.partial:
        match |= Q(legal_name__icontains=terms.text)
    admin = user_has_role(user, Role.ADMINISTRATOR)

    def hit(member: Member) -> Hit:
        shops = reverse("portal:shop_list") + "?" + urlencode({"q": member.legal_name})
        links = ((reverse("portal:team", args=[member.pk]), str(_("Team"))),) if admin else ()
        return Hit(
            title=member.legal_name,
            detail=f"{member.city}, {member.country.code} · {member.contact_email}",
            url=shops,
            extra_links=links,
        )

    return Member.objects.filter(match).order_by("legal_name", "pk"), hit


def _shops(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = Q(public_id=terms.text)
    if terms.partial:
        match |= terms.domain_q("domain") | Q(name__icontains=terms.text)

    def hit(shop: Shop) -> Hit:
        return Hit(
            title=shop.display_domain,
            detail=f"{shop.name} · {shop.member.legal_name}",
            url=reverse("portal:shop_detail", args=[shop.public_id]),
            state="closed" if shop.closed_at else "",
            state_label=str(_("Closed")) if shop.closed_at else "",
        )

    shops = Shop.objects.filter(match).select_related("member")
    return shops.order_by("closed_at", "domain", "pk"), hit


def _marks(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = Q(number__iexact=terms.text)
    if terms.partial:
        match |= terms.domain_q("shop__domain")

    def hit(mark: TrustMark) -> Hit:
        return Hit(
            title=mark.number,
            detail=f"{mark.shop.display_domain} · {mark.shop.member.legal_name}",
            url=reverse("portal:mark_detail", args=[mark.number]),
            state=mark.state,
            state_label=mark.get_state_display(),
        )

    marks = TrustMark.objects.filter(match).select_related("shop__member")
    return marks.order_by("-issued_at", "-pk"), hit


def _audits(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = Q(pk=terms.audit_id) if terms.audit_id is not None else Q(pk__in=[])
    if terms.partial:
        match |= terms.domain_q("shop__domain")

    def hit(audit: Audit) -> Hit:
        return Hit(
            title=str(_("Audit %(id)s") % {"id": audit.pk}),
            detail=f"{display_domain(audit.shop.domain)} · {audit.get_kind_display()}",
            url=reverse("audits:workspace", args=[audit.pk]),
            state=audit.state,
            state_label=audit.get_state_display(),
        )

    audits = Audit.objects.filter(match).select_related("shop")
    return audits.order_by("-requested_at", "-pk"), hit


def _guarantees(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = Q(number__iexact=terms.text) | Q(order_reference__iexact=terms.text)
    if "@" in terms.text:
        match |= Q(buyer_email__iexact=terms.text)
    if terms.partial:
        match |= Q(order_reference__icontains=terms.text)

    def hit(guarantee: Guarantee) -> Hit:
        url = reverse("guarantee_portal:list") + "?" + urlencode({"q": guarantee.number})
        return Hit(
            title=guarantee.number,
            detail=(
                f"{guarantee.shop.display_domain} · {guarantee.order_reference} · "
                f"{guarantee.buyer_email}"
            ),
            url=url,
            state=guarantee.state,
            state_label=guarantee.get_state_display(),
        )

    guarantees = Guarantee.objects.filter(match).select_related("shop")
    return guarantees.order_by("-created_at", "-pk"), hit


def _cases(terms: Terms, user: Any) -> tuple[QuerySet[Any], Callable[[Any], Hit]]:
    match = (
        Q(number__iexact=terms.text)
        | Q(guarantee__number__iexact=terms.text)
        | Q(guarantee__order_reference__iexact=terms.text)
    )
    if "@" in terms.text:
        match |= Q(guarantee__buyer_email__iexact=terms.text)
    if terms.partial:
        match |= Q(guarantee__order_reference__icontains=terms.text)

    def hit(claim: Claim) -> Hit:
        return Hit(
            title=claim.number,
            detail=(
                f"{claim.shop.display_domain} · {claim.guarantee.number} · "
                f"{claim.guarantee.order_reference}"
            ),
            url=reverse("disputes:case", args=[claim.number]),
            state=claim.state,
            state_label=claim.get_state_display(),
        )

    claims = Claim.objects.filter(match).select_related("shop", "guarantee")
    return claims.order_by("-opened_at", "-pk"), hit


# kind, heading, the area whose staff see it, the finder.
KINDS: tuple[tuple[str, Any, str, Callable[..., Any]], ...] = (
    ("members", _("Members"), Area.AUDITS, _members),
    ("shops", _("Shops"), Area.DOCUMENTS, _shops),
    ("marks", _("Trust marks"), Area.AUDITS, _marks),
    ("audits", _("Audits"), Area.AUDITS, _audits),
    ("guarantees", _("Guarantees"), Area.CASES, _guarantees),
    ("cases", _("Cases"), Area.CASES, _cases),
)


def search(user: Any, query: str) -> list[Group]:
    """The hits of each kind the person may see; one query per kind, at most LIMIT hits each."""
    query = clean_query(query)
    if not query or not may_search(user):
        return []
    terms = Terms.of(query)
    groups = []
    for kind, label, area, find in KINDS:
        if not staff_sees_area(user, area):
            continue
        rows, hit = find(terms, user)
        found = list(rows[: LIMIT + 1])
        groups.append(
            Group(kind, label, [hit(row) for row in found[:LIMIT]], more=len(found) > LIMIT)
        )
    return groups
