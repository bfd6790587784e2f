"""Certifier staff roles: auditor, mediator, administrator, as Django groups.

Administrators may do everything staff may do; the role check is the only
place that knows it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import NotPermitted


class Role(models.TextChoices):
    AUDITOR = "auditor", _("Auditor")
    MEDIATOR = "mediator", _("Mediator")
    MODERATOR = "moderator", _("Review moderator")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = tuple(Role.values)

# Apps whose models the administrator group may manage in the Django admin.
ADMIN_MANAGED_APPS = (
    "accounts",
    "certification",
    "audits",
    "guarantees",
    "disputes",
    "notifications",
    "reviews",
    "quality",
)


def staff_roles_of(user: Any) -> frozenset[str]:
    """The staff roles of a user, cached on the instance for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_staff_roles", None)
    if cached is None:
        names = user.groups.filter(name__in=STAFF_ROLES).values_list("name", flat=True)
        cached = frozenset(names)
        user._staff_roles = cached
    return cached


def user_has_role(user: Any, role: str) -> bool:
    """True when the user holds the role; administrators hold every staff role."""
    roles = staff_roles_of(user)
    return role in roles or Role.ADMINISTRATOR in roles


def require_role(user: Any, role: str) -> None:
    if not user_has_role(user, role):
        raise NotPermitted(_("This needs the %(role)s role.") % {"role": Role(role).label})


def sync_role_permissions(sender: Any = None, **kwargs: Any) -> None:
    """After every migrate: the administrator group may manage Trustmark's models."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    admin_group, _created = Group.objects.using(using).get_or_create(name=Role.ADMINISTRATOR)
    for role in (Role.AUDITOR, Role.MEDIATOR, Role.MODERATOR):
        Group.objects.using(using).get_or_create(name=role)
    perms = Permission.objects.using(using).filter(content_type__app_label__in=ADMIN_MANAGED_APPS)
    admin_group.permissions.add(*perms)
