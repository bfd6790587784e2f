"""Who may see which member and shop, per area: the one place that decides.

Staff see by role; a member's owner sees all its shops; an employee sees the
shops on which (or on whose member) they were granted the area. Listing uses
guardian with `accept_global_perms=False`, so a model-wide permission never
opens every member's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from accounts.roles import Role, user_has_role
from certification.models import (
    Area,
    Member,
    MemberUserObjectPermission,
    Shop,
    ShopUserObjectPermission,
    TeamMembership,
    TeamRole,
    area_codename,
)

# Which staff role sees which area of every member.
STAFF_AREAS: dict[str, tuple[str, ...]] = {
    Area.AUDITS: (Role.AUDITOR,),
    Area.DOCUMENTS: (Role.AUDITOR, Role.MEDIATOR),
    Area.CASES: (Role.MEDIATOR,),
    Area.TEAM: (Role.ADMINISTRATOR,),
    Area.REVIEWS: (Role.MODERATOR,),
    Area.INTEGRATIONS: (Role.ADMINISTRATOR,),
}


@dataclass(frozen=True)
class Right:
    """One cell of the rights matrix: an area, on a whole member (shop None) or one shop."""

    area: str
    shop_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"area": self.area, "shop": self.shop_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Right:
        return cls(area=Area(data["area"]).value, shop_id=data.get("shop"))


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def staff_sees_area(user: Any, area: str) -> bool:
    return any(user_has_role(user, role) for role in STAFF_AREAS[Area(area)])


def is_staff_viewer(user: Any) -> bool:
    return any(staff_sees_area(user, area) for area in Area)


def owned_member_ids(user: Any) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(user=user, role=TeamRole.OWNER).values("member_id")


def members_with_area(user: Any, area: str) -> QuerySet[Member]:
    """Members on which the person holds the area as a whole (owners hold every area)."""
    if not _signed_in(user):
        return Member.objects.none()
    if staff_sees_area(user, area):
        return Member.objects.all()
    granted = get_objects_for_user(
        user,
        area_codename(area),
        klass=Member,
        accept_global_perms=False,
        with_superuser=False,
    ).filter(team__user=user)
    return Member.objects.filter(pk__in=_either(owned_member_ids(user), granted.values("pk")))


def shops_with_right(user: Any, area: str) -> QuerySet[Shop]:
    """Every shop on which the person may work in `area`."""
    if not _signed_in(user):
        return Shop.objects.none()
    if staff_sees_area(user, area):
        return Shop.objects.all()
    on_shops = get_objects_for_user(
        user,
        area_codename(area),
        klass=Shop,
        accept_global_perms=False,
        with_superuser=False,
    ).filter(member__team__user=user)
    of_members = Shop.objects.filter(member_id__in=members_with_area(user, area).values("pk"))
    return Shop.objects.filter(pk__in=_either(of_members.values("pk"), on_shops.values("pk")))


def _either(*ids: QuerySet) -> QuerySet:
    """The ids any of these one-column querysets yields, as one UNION.

    `pk IN (a) OR pk IN (b)` makes PostgreSQL test every row of the outer table against
    both lists (at 30,000 shops, 10 to 30 ms for each right checked) and guess that most
    rows match, which sends the guarantee and claim lists to full scans. `pk IN (a UNION
    b)` is a semi-join it plans from each branch's own index, estimated row for row.
    """
    first, *rest = (qs.order_by() for qs in ids)
    return first.union(*rest)


def acts_for_shop(user: Any, shop: Shop, area: str) -> bool:
    """One of the member's own people holding `area` on the shop; staff roles do not count.

    Staff work every shop in their area, but the merchant's own decisions (applying for
    or withdrawing an audit, keys and secrets, invitations, answers in the shop's name)
    belong to the merchant's people alone.
    """
    if not _signed_in(user):
        return False
    in_team = TeamMembership.objects.filter(user=user, member_id=shop.member_id).exists()
    return in_team and shops_with_right(user, area).filter(pk=shop.pk).exists()


def shops_visible_to(user: Any) -> QuerySet[Shop]:
    """Every shop the person may open, in any area."""
    if not _signed_in(user):
        return Shop.objects.none()
    if is_staff_viewer(user):
        return Shop.objects.all()
    member_ids = TeamMembership.objects.filter(user=user).values("member_id")
    owned = owned_member_ids(user)
    member_grants = MemberUserObjectPermission.objects.filter(
        user=user, content_object_id__in=member_ids
    ).values("content_object_id")
    shop_grants = ShopUserObjectPermission.objects.filter(
        user=user, content_object__member_id__in=member_ids
    ).values("content_object_id")
    of_members = Shop.objects.filter(member_id__in=_either(owned, member_grants))
    return Shop.objects.filter(pk__in=_either(of_members.values("pk"), shop_grants))


def get_shop_for(user: Any, public_id: str) -> Shop:
    """The shop if the person may see it; a miss is a 404 whether it exists or not."""
    shop = shops_visible_to(user).select_related("member", "plan").filter(public_id=public_id)
    found = shop.first()
    if found is None:
        raise Http404("No such shop.")
    return found


def members_visible_to(user: Any) -> QuerySet[Member]:
    """Members the person belongs to (or all of them, for staff)."""
    if not _signed_in(user):
        return Member.objects.none()
    if is_staff_viewer(user):
        return Member.objects.all()
    return Member.objects.filter(team__user=user).distinct()


def is_owner(user: Any, member: Member) -> bool:
    return (
        _signed_in(user)
        and TeamMembership.objects.filter(member=member, user=user, role=TeamRole.OWNER).exists()
    )


def rights_of(user: Any, member: Member) -> set[Right]:
    """The explicit rights a person holds on a member and its shops."""
    rights: set[Right] = set()
    member_perms = MemberUserObjectPermission.objects.filter(
        user=user, content_object=member
    ).values_list("permission__codename", flat=True)
    for codename in member_perms:
        rights.add(Right(area=codename.removeprefix("area_")))
    shop_perms = ShopUserObjectPermission.objects.filter(
        user=user, content_object__member=member
    ).values_list("permission__codename", "content_object_id")
    for codename, shop_id in shop_perms:
        rights.add(Right(area=codename.removeprefix("area_"), shop_id=shop_id))
    return rights


@dataclass(frozen=True)
class GrantPolicy:
    """What one person may do with one member's rights, read once (three queries)."""

    unrestricted: bool
    held: frozenset[Right]

    @classmethod
    def of(cls, user: Any, member: Member) -> GrantPolicy:
        if not _signed_in(user):
            return cls(unrestricted=False, held=frozenset())
        unrestricted = user_has_role(user, Role.ADMINISTRATOR) or is_owner(user, member)
        held = frozenset() if unrestricted else frozenset(rights_of(user, member))
        return cls(unrestricted=unrestricted, held=held)

    def holds(self, right: Right) -> bool:
        """Owners hold every right; a member-wide grant covers each of its shops."""
        if self.unrestricted:
            return True
        return Right(right.area) in self.held or (right.shop_id is not None and right in self.held)

    def may_grant(self, right: Right) -> bool:
        """Others grant only what they hold, where they also hold the team right."""
        return self.unrestricted or (
            self.holds(Right(Area.TEAM, right.shop_id)) and self.holds(right)
        )

    def holds_on(self, area: str, shop_id: int | None) -> bool:
        return self.holds(Right(area, shop_id))

    @property
    def manages_team(self) -> bool:
        return self.unrestricted or any(r.area == Area.TEAM for r in self.held)


def holds(user: Any, member: Member, right: Right) -> bool:
    return GrantPolicy.of(user, member).holds(right)


def may_manage_team(user: Any, member: Member) -> bool:
    """The owner, an administrator, or an employee with the team right anywhere in the member."""
    return GrantPolicy.of(user, member).manages_team


def may_grant(actor: Any, member: Member, right: Right) -> bool:
    return GrantPolicy.of(actor, member).may_grant(right)


def get_member_for_team(user: Any, member_id: int) -> Member:
    """The member whose team the person may manage; otherwise a 404."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None or not may_manage_team(user, member):
        raise Http404("No such member.")
    return member


def people_with_right(shop: Shop, area: str) -> list[Any]:
    """The member's people who hold `area` on this shop (owners hold every area)."""
    people = [
        membership.user
        for membership in TeamMembership.objects.filter(member_id=shop.member_id)
        .select_related("user")
        .order_by("user__email")
    ]
    return [p for p in people if shops_with_right(p, area).filter(pk=shop.pk).exists()]
