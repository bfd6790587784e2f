"""Reads for pages and API: a page's query count does not grow with its rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from certification.access import Right, members_visible_to, shops_visible_to
from certification.models import (
    Invitation,
    Member,
    MemberUserObjectPermission,
    Shop,
    ShopUserObjectPermission,
    TeamMembership,
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


def member_with_shops(member_id: int) -> Member | None:
    return (
        Member.objects.filter(pk=member_id)
        .prefetch_related(Prefetch("shops", queryset=Shop.objects.live().order_by("domain")))
        .first()
    )
