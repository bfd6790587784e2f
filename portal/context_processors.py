"""Navigation by role, for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import Role, user_has_role
from certification.access import is_staff_viewer, may_manage_team, shops_with_right
from certification.models import Area, Member
from notifications.selectors import unread_count
from portal.search import may_search
from quality.access import is_quality_staff


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_count": 0, "staff_search": False}
    items = [
        (reverse("portal:dashboard"), _("Dashboard")),
        (reverse("portal:shop_list"), _("Shops")),
    ]
    if not user.is_staff:
        members = Member.objects.filter(team__user=user).order_by("legal_name")[:5]
        items += [
            (reverse("portal:team", args=[m.pk]), _("Team") if len(members) == 1 else m.legal_name)
            for m in members
            if may_manage_team(user, m)
        ]
    if shops_with_right(user, Area.CASES).exists():
        items.append((reverse("guarantee_portal:list"), _("Guarantees")))
        if user_has_role(user, Role.MEDIATOR):
            items.append((reverse("disputes:queue"), _("Mediation")))
        else:
            items.append((reverse("disputes:list"), _("Claims")))
    if not user.is_staff:
        items.append((reverse("guarantees:mine"), _("My guarantees")))
    may_review = shops_with_right(user, Area.REVIEWS).exists()
    if may_review:
        items.append((reverse("review_portal:list"), _("Reviews")))
    if user_has_role(user, Role.MODERATOR):
        items.append((reverse("moderation:queue"), _("Moderation")))
    if is_quality_staff(user):
        items.append((reverse("quality_staff:alerts"), _("Quality")))
        if user_has_role(user, Role.ADMINISTRATOR):
            items.append((reverse("quality_staff:reviews"), _("Mark reviews")))
    elif may_review or shops_with_right(user, Area.AUDITS).exists():
        items.append((reverse("quality:index"), _("Quality")))
    if shops_with_right(user, Area.INTEGRATIONS).exists():
        items.append((reverse("portal:integrations:list"), _("Integrations")))
    if user_has_role(user, Role.AUDITOR):
        items.append((reverse("audits:queue"), _("Audit queue")))
    if is_staff_viewer(user):
        items.append((reverse("portal:mark_list"), _("Trust marks")))
    if user.is_staff and user_has_role(user, Role.ADMINISTRATOR):
        items.append((reverse("disputes:recourse"), _("Recourse")))
        items.append((reverse("admin:index"), _("Administration")))
    path = request.path
    return {
        "nav_items": [{"url": url, "label": label, "current": path == url} for url, label in items],
        # Read on every page, never cached: marking a message read shows at once.
        "unread_count": unread_count(user),
        "staff_search": may_search(user),
    }
