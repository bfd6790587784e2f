"""Who may see which audit: auditors and administrators all; merchants by the audits right."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role, user_has_role
from audits.models import Audit
from certification.access import acts_for_shop, shops_with_right
from certification.models import Area, Shop


def is_audit_staff(user: Any) -> bool:
    return user_has_role(user, Role.AUDITOR)


def audits_visible_to(user: Any) -> QuerySet[Audit]:
    """Every audit the person may open; pages and downloads start here."""
    if is_audit_staff(user):
        return Audit.objects.all()
    return Audit.objects.filter(shop__in=shops_with_right(user, Area.AUDITS))


def get_audit_for(user: Any, pk: int) -> Audit:
    audit = audits_visible_to(user).select_related("shop__member", "criteria_set", "auditor")
    found = audit.filter(pk=pk).first()
    if found is None:
        raise Http404("No such audit.")
    return found


def may_act_for_shop(user: Any, shop: Shop) -> bool:
    """Merchant side: the owner or an employee with the audits right on this shop."""
    return acts_for_shop(user, shop, Area.AUDITS)
