"""Trust-mark services: issue and renew, suspend, reinstate, revoke, expire.

Administrators suspend, reinstate and revoke; auditors (through an approved
audit) and administrators issue; expiry is the system's. Each change locks the
row, runs the FSM transition, is recorded by the history triggers with the
actor in context, emails the owner and invalidates the public caches on commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.roles import Role, require_role, user_has_role
from certification.models import (
    LIVE_MARK_STATES,
    Shop,
    SuspensionReason,
    TeamMembership,
    TeamRole,
    TrustMark,
)
from certification.verification import (
    _mark_facts,
    invalidate_shop,
    public_api_facts,
    verification_url,
)
from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from notifications.services import queue_email
from notifications.webhooks import emit

# Mark changes sent to the member's webhook endpoints (a renewal is not one of them).
WEBHOOK_EVENTS = {"issued", "suspended", "reinstated", "revoked", "expired"}


def webhook_payload(mark: TrustMark) -> dict[str, Any]:
    """`data` of a mark.* event: the mark as GET /api/v1/marks/<number> shows it."""
    return {"mark": public_api_facts(_mark_facts(mark))}


def _next_number(today: date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('certification_trustmark_number_seq')")
        (value,) = cursor.fetchone()
    return f"TM-{today.year}-{value:06d}"


def _after_commit(mark: TrustMark, event: str) -> None:
    """Tell the owner(s) and forget the public caches once the change is committed."""
    shop = mark.shop
    owners = TeamMembership.objects.filter(
        member_id=shop.member_id, role=TeamRole.OWNER
    ).select_related("user")
    for membership in owners:
        queue_email(
            to=membership.user.email,
            recipient=membership.user,
            template="mark_changed",
            language=membership.user.language,
            context={
                "event": event,
                "number": mark.number,
                "shop": shop.name,
                "domain": shop.display_domain,
                "valid_until": mark.valid_until,
                "note": mark.status_note,
                "reason": mark.get_suspension_reason_display() if mark.suspension_reason else "",
                "url": verification_url(mark.number),
            },
        )
    if event in WEBHOOK_EVENTS:
        emit(f"mark.{event}", shop.member_id, lambda: webhook_payload(mark), shop=shop.pk)
    shop_id = shop.pk
    transaction.on_commit(lambda: invalidate_shop(shop_id))


def issue_mark(*, shop: Shop, actor: Any | None, valid_from: date | None = None) -> TrustMark:
    """Issue the shop's mark, or renew its live one by another validity period."""
    if actor is not None and not (
        user_has_role(actor, Role.AUDITOR) or user_has_role(actor, Role.ADMINISTRATOR)
    ):
        raise NotPermitted(_("Only auditors and administrators issue trust marks."))
    months = relativedelta(months=settings.MARK_VALIDITY_MONTHS)
    today = valid_from or timezone.localdate()
    with transaction.atomic():
        shop = Shop.objects.select_for_update().select_related("member").get(pk=shop.pk)
        if shop.closed_at is not None:
            raise Conflict(_("A closed shop cannot receive a trust mark."))
        live = TrustMark.objects.select_for_update().filter(shop=shop, state__in=LIVE_MARK_STATES)
        mark = live.first()
        if mark is not None:
            with acting(actor, "mark_renewed"):
                mark.valid_until = max(mark.valid_until, today) + months
                mark.last_audit_on = today
                mark.save(update_fields=["valid_until", "last_audit_on", "updated_at"])
            _after_commit(mark, "renewed")
            return mark
        with acting(actor, "mark_issued"):
            mark = TrustMark(
                shop=shop,
                number=_next_number(today),
                valid_from=today,
                valid_until=today + months,
                last_audit_on=today,
            )
            try:
                with transaction.atomic():
                    mark.save()
            except IntegrityError as exc:  # a concurrent issue won the race
                raise Conflict(_("This shop already has a live trust mark.")) from exc
        _after_commit(mark, "issued")
    return mark


def _locked(mark: TrustMark) -> TrustMark:
    return TrustMark.objects.select_for_update().select_related("shop").get(pk=mark.pk)


def _refused(mark: TrustMark, action: str) -> Conflict:
    return Conflict(
        _("A %(state)s mark cannot be %(action)s.")
        % {"state": mark.get_state_display().lower(), "action": action}
    )


def suspend_mark(*, mark: TrustMark, actor: Any, reason: str, note: str = "") -> TrustMark:
    require_role(actor, Role.ADMINISTRATOR)
    if reason not in SuspensionReason.values:
        raise DomainError(_("Choose why the mark is suspended."), field="reason")
    if reason == SuspensionReason.OTHER and not note.strip():
        raise DomainError(_("Say why the mark is suspended."), field="note")
    with transaction.atomic():
        mark = _locked(mark)
        try:
            mark.suspend(reason=reason, note=note.strip())
        except TransitionNotAllowed as exc:
            raise _refused(mark, _("suspended")) from exc
        with acting(actor, "mark_suspended", note, reason=reason):
            mark.save()
        _after_commit(mark, "suspended")
    return mark


def reinstate_mark(*, mark: TrustMark, actor: Any, note: str) -> TrustMark:
    require_role(actor, Role.ADMINISTRATOR)
    if not note.strip():
        raise DomainError(_("Say why the mark is reinstated."), field="note")
    with transaction.atomic():
        mark = _locked(mark)
        if mark.valid_until < timezone.localdate():
            raise Conflict(_("The mark's validity has passed: it cannot be reinstated."))
        try:
            mark.reinstate(note=note.strip())
        except TransitionNotAllowed as exc:
            raise _refused(mark, _("reinstated")) from exc
        with acting(actor, "mark_reinstated", note):
            mark.save()
        _after_commit(mark, "reinstated")
    return mark


def revoke_mark(*, mark: TrustMark, actor: Any, reason: str) -> TrustMark:
    require_role(actor, Role.ADMINISTRATOR)
    if not reason.strip():
        raise DomainError(_("Say why the mark is revoked."), field="reason")
    with transaction.atomic():
        mark = _locked(mark)
        try:
            mark.revoke(reason=reason.strip())
        except TransitionNotAllowed as exc:
            raise _refused(mark, _("revoked")) from exc
        with acting(actor, "mark_revoked", reason):
            mark.save()
        _after_commit(mark, "revoked")
    return mark


def expire_due_marks(*, today: date | None = None, limit: int = 500) -> int:
    """Expire live marks whose validity has passed. Safe to run twice or in parallel."""
    today = today or timezone.localdate()
    expired = 0
    with transaction.atomic():
        due = list(
            TrustMark.objects.select_for_update(skip_locked=True)
            .select_related("shop")
            .filter(state__in=LIVE_MARK_STATES, valid_until__lt=today)
            .order_by("pk")[:limit]
        )
        for mark in due:
            mark.expire()
            with acting(None, "mark_expired"):
                mark.save()
            _after_commit(mark, "expired")
            expired += 1
    return expired
