"""Paying a decision for the buyer: approve (four eyes above a limit), pay once, record recourse.

The payout row is locked for every step, so two staff approving or paying at
once have exactly one success; the database refuses an amount over the
guarantee's cover and a second payout for the same case.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotPermitted
from core.history import acting
from core.money import parse_amount
from disputes.access import CaseActor
from disputes.models import Claim, Party, Payout, PayoutState, RecourseEntry
from disputes.notify import tell
from disputes.services import require_party
from disputes.webhooks import emit_claim
from guarantees.models import GuaranteeState


def _locked(payout: Payout) -> Payout:
    """Lock the case, then its payout (the order every case service follows)."""
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("guarantee", "shop")
        .get(pk=payout.claim_id)
    )
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    locked.claim = claim
    return locked


def needs_second_person(payout: Payout) -> bool:
    return payout.amount > settings.PAYOUT_FOUR_EYES_ABOVE


def approve_payout(*, actor: CaseActor, payout: Payout) -> Payout:
    """Approve a proposed payout; above the threshold, not by the person who proposed it."""
    require_party(actor, payout.claim, Party.STAFF)
    with transaction.atomic():
        payout = _locked(payout)
        if payout.state != PayoutState.PROPOSED:
            raise Conflict(
                _("Only a proposed payout can be approved; this one is %(state)s.")
                % {"state": payout.get_state_display().lower()}
            )
        if needs_second_person(payout) and payout.proposed_by_id == actor.user.pk:
            raise NotPermitted(
                _("Above %(limit)s %(currency)s a second staff member must approve the payout.")
                % {"limit": settings.PAYOUT_FOUR_EYES_ABOVE, "currency": payout.currency}
            )
        payout.approve(actor.user)
        with acting(actor.user, "payout_approved"):
            payout.save()
    return payout


def mark_paid(*, actor: CaseActor, payout: Payout, reference: str) -> Payout:
    """Record the transfer: the case and the guarantee close, the shop owes the amount."""
    require_party(actor, payout.claim, Party.STAFF)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Give the payment reference of the transfer."), field="reference")
    with transaction.atomic():
        payout = _locked(payout)
        if payout.state != PayoutState.APPROVED:
            raise Conflict(
                _("Only an approved payout can be paid; this one is %(state)s.")
                % {"state": payout.get_state_display().lower()}
            )
        claim = payout.claim
        payout.mark_paid(actor.user, reference[:100])
        with acting(actor.user, "payout_paid", reference=reference[:100]):
            payout.save()
            claim.close()
            claim.save()
            guarantee = claim.guarantee
            if guarantee.state == GuaranteeState.CLAIMED:
                guarantee.close()
                guarantee.save(update_fields=["state", "updated_at"])
            RecourseEntry.objects.create(
                payout=payout,
                member_id=claim.shop.member_id,
                shop=claim.shop,
                amount=payout.amount,
                currency=payout.currency,
            )
        tell(claim, "paid", [Party.BUYER, Party.SHOP], paid_amount=payout.amount)
        emit_claim("claim.paid", claim)
        emit_claim("claim.closed", claim)
    return payout


def cancel_payout(*, actor: CaseActor, payout: Payout, reason: str) -> Payout:
    require_party(actor, payout.claim, Party.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the payout is cancelled."), field="reason")
    with transaction.atomic():
        payout = _locked(payout)
        if payout.state not in (PayoutState.PROPOSED, PayoutState.APPROVED):
            raise Conflict(_("This payout can no longer be cancelled."))
        payout.cancel(reason[:2000])
        with acting(actor.user, "payout_cancelled"):
            payout.save()
    return payout


def propose_again(*, actor: CaseActor, payout: Payout, amount: Any) -> Payout:
    """After a cancellation, propose the payout anew (at most the amount decided)."""
    require_party(actor, payout.claim, Party.STAFF)
    with transaction.atomic():
        payout = _locked(payout)
        if payout.state != PayoutState.CANCELLED:
            raise Conflict(_("Only a cancelled payout can be proposed again."))
        value = parse_amount(amount, payout.currency)
        if value > payout.claim.decision_amount:
            raise DomainError(
                _("At most the amount decided: %(amount)s %(currency)s.")
                % {"amount": payout.claim.decision_amount, "currency": payout.currency},
                field="amount",
            )
        payout.propose_again(actor.user, value)
        with acting(actor.user, "payout_proposed"):
            payout.save()
    return payout
