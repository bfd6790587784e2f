"""A member's team: invitations, acceptance, rights per area and shop, removal.

Every grant and revoke goes through guardian's direct-FK tables, whose
pghistory triggers record who did it, when and what.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.roles import Role, user_has_role
from certification.access import GrantPolicy, Right, is_owner, may_manage_team, rights_of
from certification.models import Area, Invitation, Member, Shop, TeamMembership, TeamRole
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from notifications.services import queue_email

TOKEN_SALT = "trustmark.team.invitation"  # noqa: S105 - a signing namespace, not a secret


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=TOKEN_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("portal:accept_invitation", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


def read_invitation_token(token: str) -> Invitation:
    """The invitation behind a link, or a DomainError saying why the link is not good."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError(
            _("This invitation has expired. Ask for a new one."), code="expired"
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This invitation link is not valid."), code="invalid") from exc
    invitation = (
        Invitation.objects.select_related("member", "invited_by")
        .filter(pk=data.get("i"), email=data.get("e"))
        .first()
    )
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invalid")
    return invitation


def _check_rights_belong(member: Member, rights: list[Right]) -> None:
    shop_ids = {r.shop_id for r in rights if r.shop_id is not None}
    live = set(
        Shop.objects.live().filter(member=member, pk__in=shop_ids).values_list("pk", flat=True)
    )
    if shop_ids - live:
        raise DomainError(_("A right names a shop that is not one of this member's live shops."))


def _check_may_grant(actor: Any, member: Member, rights: list[Right]) -> None:
    policy = GrantPolicy.of(actor, member)
    for right in rights:
        if not policy.may_grant(right):
            raise NotPermitted(
                _(
                    "You cannot grant “%(area)s” there: you may only grant rights you hold "
                    "yourself, on shops where you hold the team right."
                )
                % {"area": Area(right.area).label}
            )


def invite_person(
    *,
    actor: Any,
    member: Member,
    email: str,
    rights: list[Right] | None = None,
    role: str = TeamRole.EMPLOYEE,
    full_name: str = "",
) -> Invitation:
    """Invite someone into the member's team; rights are granted on acceptance."""
    rights = sorted(set(rights or []), key=lambda r: (r.area, r.shop_id or 0))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid email address."), field="email") from exc
    if role == TeamRole.OWNER:
        if not user_has_role(actor, Role.ADMINISTRATOR):
            raise NotPermitted(_("Only the certifier's administrators appoint an owner."))
    elif not may_manage_team(actor, member):
        raise NotPermitted(_("You may not manage this member's team."))
    _check_rights_belong(member, rights)
    _check_may_grant(actor, member, rights)
    if TeamMembership.objects.filter(member=member, user__email__iexact=email).exists():
        raise DomainError(_("%(email)s is already in this team.") % {"email": email}, field="email")
    now = timezone.now()
    with transaction.atomic(), acting(actor, "invitation_sent", email=email):
        # One open invitation per address and member: a new one replaces the old.
        Invitation.objects.filter(
            member=member, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            member=member,
            email=email,
            role=role,
            rights=[r.as_json() for r in rights],
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        existing = get_user_model().objects.filter(email__iexact=email).first()
        language = existing.language if existing else getattr(actor, "language", "en")
        queue_email(
            to=email,
            recipient=existing,
            template="team_invitation",
            language=language,
            context={
                "member": member.legal_name,
                "inviter": actor.get_full_name() if actor else "",
                "name": full_name or (existing.get_full_name() if existing else ""),
                "owner": role == TeamRole.OWNER,
                "url": invitation_url(invitation),
                "days": settings.INVITATION_MAX_AGE_DAYS,
            },
        )
    return invitation


def withdraw_invitation(*, actor: Any, invitation: Invitation) -> Invitation:
    if not may_manage_team(actor, invitation.member):
        raise NotPermitted(_("You may not manage this member's team."))
    with transaction.atomic(), acting(actor, "invitation_withdrawn"):
        done = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not done:
            raise Conflict(_("This invitation was already accepted or withdrawn."))
    invitation.refresh_from_db()
    return invitation


def accept_invitation(
    *, token: str, user: Any | None = None, full_name: str = "", password: str = ""
) -> TeamMembership:
    """Join the team: link the signed-in account or create one for the invited email."""
    invitation = read_invitation_token(token)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.revoked_at is not None:
            raise DomainError(_("This invitation was withdrawn."), code="withdrawn")
        if invitation.accepted_at is not None:
            raise Conflict(_("This invitation has already been used."))
        if invitation.expires_at <= timezone.now():
            raise DomainError(_("This invitation has expired. Ask for a new one."), code="expired")
        user = _account_for(invitation, user, full_name=full_name, password=password)
        with acting(user, "invitation_accepted", invitation=invitation.pk):
            if TeamMembership.objects.filter(member=invitation.member, user=user).exists():
                raise Conflict(_("You are already in this team."))
            if (
                invitation.role == TeamRole.OWNER
                and TeamMembership.objects.filter(
                    member=invitation.member, role=TeamRole.OWNER
                ).exists()
            ):
                raise Conflict(_("This member already has an owner."))
            membership = TeamMembership.objects.create(
                member=invitation.member, user=user, role=invitation.role
            )
            rights = [Right.from_json(item) for item in invitation.rights]
            grantor = invitation.invited_by
            policy = GrantPolicy.of(grantor, invitation.member) if grantor else None
            live = set(
                Shop.objects.live().filter(member=invitation.member).values_list("pk", flat=True)
            )
            for right in rights:
                still_allowed = policy is None or policy.may_grant(right)
                if still_allowed and (right.shop_id is None or right.shop_id in live):
                    _assign(user, invitation.member, right)
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _account_for(invitation: Invitation, user: Any | None, *, full_name: str, password: str) -> Any:
    user_model = get_user_model()
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email:
            raise DomainError(
                _(
                    "This invitation was sent to %(email)s. Sign out and open it again, "
                    "or ask for an invitation to your own address."
                )
                % {"email": invitation.email},
                code="other_email",
            )
        return user
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise DomainError(
            _("An account for %(email)s exists already: sign in to accept.")
            % {"email": invitation.email},
            code="login_required",
        )
    candidate = user_model(email=invitation.email, full_name=full_name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    candidate.set_password(password)
    candidate.save()
    return candidate


def _assign(user: Any, member: Member, right: Right) -> None:
    codename = f"certification.area_{right.area}"
    target: Member | Shop = member if right.shop_id is None else Shop.objects.get(pk=right.shop_id)
    assign_perm(codename, user, target)


def _remove(user: Any, member: Member, right: Right) -> None:
    codename = f"certification.area_{right.area}"
    target: Member | Shop = member if right.shop_id is None else Shop.objects.get(pk=right.shop_id)
    remove_perm(codename, user, target)


def _employee(member: Member, person: Any) -> TeamMembership:
    membership = (
        TeamMembership.objects.select_for_update()
        .filter(member=member, user=person, role=TeamRole.EMPLOYEE)
        .first()
    )
    if membership is None:
        raise DomainError(_("This person is not an employee of this member."))
    return membership


def set_rights(*, actor: Any, member: Member, person: Any, rights: set[Right]) -> set[Right]:
    """Make the person's rights exactly `rights`; each change must be the actor's to make."""
    if not may_manage_team(actor, member):
        raise NotPermitted(_("You may not manage this member's team."))
    if actor.pk == person.pk and not is_owner(actor, member):
        raise NotPermitted(_("You cannot change your own rights."))
    _check_rights_belong(member, list(rights))
    with transaction.atomic():
        _employee(member, person)
        current = rights_of(person, member)
        added, removed = rights - current, current - rights
        _check_may_grant(actor, member, sorted(added | removed, key=repr))
        with acting(actor, "rights_changed", person=person.pk, member=member.pk):
            for right in removed:
                _remove(person, member, right)
            for right in added:
                _assign(person, member, right)
    return rights


def remove_from_team(*, actor: Any, member: Member, person: Any) -> None:
    """Take an employee out of the team with all their rights."""
    if not may_manage_team(actor, member):
        raise NotPermitted(_("You may not manage this member's team."))
    if actor.pk == person.pk:
        raise NotPermitted(_("You cannot remove yourself from the team."))
    with transaction.atomic():
        membership = _employee(member, person)
        current = rights_of(person, member)
        _check_may_grant(actor, member, sorted(current, key=repr))
        with acting(actor, "removed_from_team", person=person.pk, member=member.pk):
            for right in current:
                _remove(person, member, right)
            membership.delete()
