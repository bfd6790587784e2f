"""Members and shops: created and changed by the certifier's administrators only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, require_role
from certification.domains import normalise_domain
from certification.models import Member, MembershipPlan, Shop
from certification.verification import invalidate_shop
from core.errors import Conflict, DomainError
from core.history import acting

MEMBER_FIELDS = (
    "legal_name",
    "registration_number",
    "vat_id",
    "street",
    "postal_code",
    "city",
    "country",
    "contact_email",
)
SHOP_FIELDS = ("name", "domain", "language", "target_market", "currency", "sells", "plan")


def _validated(obj: Any, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from exc


def create_member(*, actor: Any, owner_email: str, owner_name: str = "", **fields: Any) -> Member:
    """Create a member and invite its owner (the invitation sets their password)."""
    from certification.team import invite_person

    require_role(actor, Role.ADMINISTRATOR)
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown member fields: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic(), acting(actor, "member_created"):
        member = Member(**fields)
        _validated(member)
        member.save()
        invite_person(
            actor=actor, member=member, email=owner_email, role="owner", full_name=owner_name
        )
    return member


def update_member(*, actor: Any, member: Member, **changes: Any) -> Member:
    require_role(actor, Role.ADMINISTRATOR)
    with transaction.atomic(), acting(actor, "member_updated"):
        member = Member.objects.select_for_update().get(pk=member.pk)
        for name, value in changes.items():
            if name not in MEMBER_FIELDS:
                raise DomainError(_("Unknown member field: %s") % name, field=name)
            setattr(member, name, value)
        _validated(member)
        member.save()
    return member


def _check_domain_free(domain: str, *, exclude_pk: int | None) -> None:
    taken = Shop.objects.live().filter(domain=domain).exclude(pk=exclude_pk).exists()
    if taken:
        raise DomainError(
            _("The domain %(domain)s already belongs to a live shop.") % {"domain": domain},
            field="domain",
            code="duplicate",
        )


def _save_shop(shop: Shop) -> None:
    try:
        with transaction.atomic():
            shop.save()
    except IntegrityError as exc:
        if "certification_shop_live_domain_unique" in str(exc):
            raise DomainError(
                _("The domain %(domain)s already belongs to a live shop.")
                % {"domain": shop.domain},
                field="domain",
                code="duplicate",
            ) from exc
        raise


def _clean_domain(raw: str) -> str:
    try:
        return normalise_domain(raw)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="domain") from exc


def create_shop(
    *,
    actor: Any,
    member: Member,
    name: str,
    domain: str,
    language: str,
    target_market: str,
    currency: str,
    plan: MembershipPlan,
    sells: str = "goods",
) -> Shop:
    """A new shop (one domain, language and target market) under a member."""
    require_role(actor, Role.ADMINISTRATOR)
    canonical = _clean_domain(domain)
    with transaction.atomic(), acting(actor, "shop_created"):
        _check_domain_free(canonical, exclude_pk=None)
        shop = Shop(
            member=member,
            name=name,
            domain=canonical,
            language=language,
            target_market=target_market,
            currency=currency,
            sells=sells,
            plan=plan,
        )
        _validated(shop, exclude=["domain"])
        _save_shop(shop)
    return shop


def update_shop(*, actor: Any, shop: Shop, **changes: Any) -> Shop:
    require_role(actor, Role.ADMINISTRATOR)
    with transaction.atomic(), acting(actor, "shop_updated"):
        shop = Shop.objects.select_for_update().get(pk=shop.pk)
        if shop.closed_at is not None:
            raise Conflict(_("A closed shop cannot be changed."))
        for name, value in changes.items():
            if name not in SHOP_FIELDS:
                raise DomainError(_("Unknown shop field: %s") % name, field=name)
            if name == "domain":
                value = _clean_domain(value)
                _check_domain_free(value, exclude_pk=shop.pk)
            setattr(shop, name, value)
        _validated(shop, exclude=["domain"])
        _save_shop(shop)
        shop_id = shop.pk
        transaction.on_commit(lambda: invalidate_shop(shop_id))  # badge, verification page
    return shop


def close_shop(*, actor: Any, shop: Shop, reason: str) -> Shop:
    """End a shop's membership; its domain becomes free for a new shop."""
    require_role(actor, Role.ADMINISTRATOR)
    if not reason.strip():
        raise DomainError(_("Say why the shop is closed."), field="reason")
    with transaction.atomic(), acting(actor, "shop_closed", reason):
        updated = Shop.objects.filter(pk=shop.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This shop is already closed."))
        shop_id = shop.pk
        transaction.on_commit(lambda: invalidate_shop(shop_id))  # badge, verification page
    shop.refresh_from_db()
    return shop
