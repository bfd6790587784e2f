"""What members owe for paid claims, and recording that one was paid back."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, require_role
from core.errors import Conflict, DomainError
from core.history import acting
from disputes.models import RecourseEntry, RecourseReimbursement


def record_reimbursement(
    *, entry: RecourseEntry, actor: Any, received_on: date, reference: str = ""
) -> RecourseReimbursement:
    """An administrator records that the member paid this entry back; once per entry."""
    require_role(actor, Role.ADMINISTRATOR)
    if received_on > timezone.localdate():
        raise DomainError(_("The payment cannot be received in the future."), field="received_on")
    if received_on < timezone.localtime(entry.created_at).date():
        raise DomainError(
            _("The payment cannot come before the debt it pays."), field="received_on"
        )
    reference = (reference or "").replace("\x00", "").strip()
    if len(reference) > 100:
        raise DomainError(
            _("At most %(limit)s characters, please.") % {"limit": 100}, field="reference"
        )
    try:
        with transaction.atomic():
            locked = RecourseEntry.objects.select_for_update().get(pk=entry.pk)
            if RecourseReimbursement.objects.filter(entry=locked).exists():
                raise Conflict(_("This amount was already recorded as paid back."))
            with acting(actor, "recourse_reimbursed", note=reference):
                return RecourseReimbursement.objects.create(
                    entry=locked, received_on=received_on, reference=reference, recorded_by=actor
                )
    except IntegrityError as exc:  # a second administrator at the same moment
        raise Conflict(_("This amount was already recorded as paid back.")) from exc
