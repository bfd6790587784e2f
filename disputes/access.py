"""Who may act on a case, and as which party.

A buyer proves themselves with the guarantee's signed link (no account
needed) or by being signed in with the guarantee's address; the shop is
anyone holding the cases right on that shop; staff are mediators
(administrators hold every role). A person who may not see a case gets a
404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, user_has_role
from certification.access import shops_with_right
from certification.models import Area
from disputes.models import Claim, Party
from guarantees.models import Guarantee


@dataclass(frozen=True)
class CaseActor:
    """A person acting on a case: their account (if any), their party, and what proved it."""

    user: Any | None
    party: str
    guarantee_id: int | None = None  # for a buyer: the guarantee their link or account proves

    @property
    def is_staff(self) -> bool:
        return self.party == Party.STAFF


def is_mediator(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, Role.MEDIATOR))


def buyer_of(guarantee: Guarantee, user: Any | None = None) -> CaseActor:
    """The buyer of this guarantee, already proven by the caller (signed link or account)."""
    account = user if user is not None and user.is_authenticated else None
    return CaseActor(user=account, party=Party.BUYER, guarantee_id=guarantee.pk)


def owns_guarantee(user: Any, guarantee: Guarantee) -> bool:
    """A signed-in person whose account or address the guarantee was registered to."""
    if user is None or not user.is_authenticated:
        return False
    return guarantee.buyer_id == user.pk or guarantee.buyer_email == user.email.lower()


def shop_actor(user: Any, claim: Claim) -> CaseActor | None:
    """The person as the shop, if they hold the cases right on the claim's shop (not staff)."""
    if user is None or not user.is_authenticated or is_mediator(user) or user.is_staff:
        return None
    if not shops_with_right(user, Area.CASES).filter(pk=claim.shop_id).exists():
        return None
    return CaseActor(user=user, party=Party.SHOP)


def staff_actor(user: Any) -> CaseActor | None:
    return CaseActor(user=user, party=Party.STAFF) if is_mediator(user) else None


def portal_actor(user: Any, claim: Claim) -> CaseActor:
    """A signed-in person's party on this case, or a 404."""
    actor = staff_actor(user) or shop_actor(user, claim)
    if actor is None and owns_guarantee(user, claim.guarantee):
        actor = buyer_of(claim.guarantee, user)
    if actor is None:
        raise Http404("No such case.")
    return actor


def claims_for_shop_people(user: Any) -> QuerySet[Claim]:
    """The cases of every shop where the person holds the cases right (merchants only)."""
    if user is None or not user.is_authenticated or is_mediator(user) or user.is_staff:
        return Claim.objects.none()
    return Claim.objects.filter(shop__in=shops_with_right(user, Area.CASES))
