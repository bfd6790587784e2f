"""Reads for pages and API: a page's query count does not grow with its rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from certification.access import Right, members_visible_to, shops_visible_to
from certification.models import (
    LIVE_MARK_STATES,
    BadgeMisuse,
    Invitation,
    MarkState,
    Member,
    MemberUserObjectPermission,
    Shop,
    ShopUserObjectPermission,
    TeamMembership,
    TrustMark,
    VerificationDocument,
)


def shops_for_list(user: Any, *, query: str = "") -> QuerySet[Shop]:
    shops = shops_visible_to(user).select_related("member", "plan")
    if query:
        shops = shops.filter(
            Q(domain__icontains=query)
            | Q(name__icontains=query)
            | Q(member__legal_name__icontains=query)
        )
    return shops.order_by("member__legal_name", "domain")


def members_for_dashboard(user: Any) -> QuerySet[Member]:
    return (
        members_visible_to(user)
        .annotate(live_shops=Count("shops", filter=Q(shops__closed_at__isnull=True), distinct=True))
        .order_by("legal_name")
    )


@dataclass
class TeamRow:
    membership: TeamMembership
    rights: set[Right] = field(default_factory=set)

    @property
    def user(self) -> Any:
        return self.membership.user


def team_of(member: Member) -> list[TeamRow]:
    """The member's people with their rights, in three queries whatever the team size."""
    memberships = list(
        TeamMembership.objects.filter(member=member)
        .select_related("user")
        .order_by("role", "user__email")
    )
    rights: dict[int, set[Right]] = defaultdict(set)
    for user_id, codename in MemberUserObjectPermission.objects.filter(
        content_object=member
    ).values_list("user_id", "permission__codename"):
        rights[user_id].add(Right(codename.removeprefix("area_")))
    for user_id, codename, shop_id in ShopUserObjectPermission.objects.filter(
        content_object__member=member
    ).values_list("user_id", "permission__codename", "content_object_id"):
        rights[user_id].add(Right(codename.removeprefix("area_"), shop_id))
    return [TeamRow(membership=m, rights=rights[m.user_id]) for m in memberships]


def open_invitations(member: Member) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(member=member, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def live_shops_of(member: Member) -> QuerySet[Shop]:
    return Shop.objects.live().filter(member=member).order_by("domain")


def marks_for_staff(
    *, state: str = "", expiring_days: int | None = None, misuse: bool = False, query: str = ""
) -> QuerySet[TrustMark]:
    """The administrators' list of marks, filtered; one query whatever the page size."""
    from datetime import timedelta

    from django.utils import timezone

    marks = TrustMark.objects.select_related("shop__member").annotate(
        misuse_hosts=Count("shop__badge_misuse", distinct=True)
    )
    if state:
        marks = marks.filter(state=state)
    if expiring_days is not None:
        horizon = timezone.localdate() + timedelta(days=expiring_days)
        marks = marks.filter(state__in=LIVE_MARK_STATES, valid_until__lte=horizon)
    if misuse:
        marks = marks.filter(misuse_hosts__gt=0)
    if query:
        marks = marks.filter(
            Q(number__iexact=query)
            | Q(shop__domain__icontains=query)
            | Q(shop__member__legal_name__icontains=query)
        )
    return marks.order_by("valid_until", "number")


MARK_ACTIONS = {
    "mark_issued": _("Issued"),
    "mark_renewed": _("Renewed"),
    "mark_suspended": _("Suspended"),
    "mark_reinstated": _("Reinstated"),
    "mark_revoked": _("Revoked"),
    "mark_expired": _("Expired"),
}


@dataclass
class HistoryEntry:
    at: Any
    label: str
    state_from: str | None
    state_to: str
    who: str
    note: str


def mark_history(mark: TrustMark) -> list[HistoryEntry]:
    """Every recorded change of the mark, with who, when, from, to and why."""
    events = (
        TrustMark.pgh_event_model.objects.filter(pgh_obj_id=mark.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    entries: list[HistoryEntry] = []
    previous: str | None = None
    for event in events:
        meta = event.pgh_context.metadata if event.pgh_context else {}
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=str(MARK_ACTIONS.get(meta.get("action", ""), event.pgh_label)),
                state_from=str(MarkState(previous).label) if previous else None,
                state_to=str(MarkState(event.state).label),
                who=meta.get("user_email")
                or (str(_("Trustmark (automatic)")) if meta.get("system") else ""),
                note=meta.get("note", ""),
            )
        )
        previous = event.state
    return entries


def live_mark_of(shop: Shop) -> TrustMark | None:
    return shop.marks.filter(state__in=LIVE_MARK_STATES).first() or shop.marks.first()


def documents_of(shop: Shop) -> QuerySet[VerificationDocument]:
    return VerificationDocument.objects.filter(shop=shop).order_by("-version")


def mark_overview(*, expiring_days: int = 30) -> dict[str, int]:
    """Administrators' figures: live marks expiring soon, suspended marks, badge misuse."""
    from datetime import timedelta

    from django.utils import timezone

    horizon = timezone.localdate() + timedelta(days=expiring_days)
    figures = TrustMark.objects.aggregate(
        expiring=Count("pk", filter=Q(state__in=LIVE_MARK_STATES, valid_until__lte=horizon)),
        suspended=Count("pk", filter=Q(state=MarkState.SUSPENDED)),
    )
    figures["misuse_marks"] = (
        TrustMark.objects.filter(shop__badge_misuse__isnull=False).distinct().count()
    )
    return figures


def expiring_marks(*, days: int = 30, limit: int = 5) -> list[TrustMark]:
    return list(marks_for_staff(expiring_days=days)[:limit])


def suspended_marks(*, limit: int = 5) -> list[TrustMark]:
    return list(
        TrustMark.objects.filter(state=MarkState.SUSPENDED)
        .select_related("shop")
        .order_by("-updated_at")[:limit]
    )


def top_badge_misuse(*, limit: int = 5) -> list[BadgeMisuse]:
    """The foreign hosts that showed a badge most, with their shop."""
    return list(BadgeMisuse.objects.select_related("shop").order_by("-count", "host")[:limit])


def latest_documents(shops: QuerySet[Shop]) -> dict[int, VerificationDocument]:
    """Each shop's newest verification document, by shop id; one query."""
    documents = (
        VerificationDocument.objects.filter(shop__in=shops)
        .order_by("shop_id", "-version")
        .distinct("shop_id")
    )
    return {document.shop_id: document for document in documents}


def live_marks(shops: QuerySet[Shop]) -> dict[int, TrustMark]:
    """Each shop's live mark, else its latest one, by shop id; one query."""
    from django.db.models import Case, IntegerField, When

    marks = (
        TrustMark.objects.filter(shop__in=shops)
        .annotate(
            live_rank=Case(
                When(state__in=LIVE_MARK_STATES, then=0), default=1, output_field=IntegerField()
            )
        )
        .order_by("shop_id", "live_rank", "-issued_at")
        .distinct("shop_id")
    )
    return {mark.shop_id: mark for mark in marks}


def misuse_of(shop: Shop) -> QuerySet[BadgeMisuse]:
    return BadgeMisuse.objects.filter(shop=shop).order_by("-count")[:20]
