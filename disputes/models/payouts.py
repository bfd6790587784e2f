"""Money after a decision for the buyer: the payout, at most once, and the shop's recourse debt."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models import Member, Shop
from disputes.models.cases import Claim


class PayoutState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


@pghistory.track(pghistory.InsertEvent("proposed"), pghistory.UpdateEvent("changed"))
class Payout(ConcurrentTransitionMixin, models.Model):
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    cover_amount = models.DecimalField(_("guarantee's cover"), max_digits=12, decimal_places=2)
    state = FSMField(
        _("status"), default=PayoutState.PROPOSED, choices=PayoutState.choices, protected=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payouts_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=F("cover_amount")), name="payouts_within_cover"
            ),
            models.CheckConstraint(
                condition=~Q(state=PayoutState.PAID) | ~Q(payment_reference=""),
                name="payouts_paid_has_reference",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(approved_at__isnull=False),
                name="payouts_approval_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.amount} {self.currency}"

    @transition(field=state, source=PayoutState.PROPOSED, target=PayoutState.APPROVED)
    def approve(self, actor: object) -> None:
        self.approved_by, self.approved_at = actor, timezone.now()

    @transition(field=state, source=PayoutState.APPROVED, target=PayoutState.PAID)
    def mark_paid(self, actor: object, reference: str) -> None:
        self.paid_by, self.payment_reference, self.paid_at = actor, reference, timezone.now()

    @transition(
        field=state,
        source=[PayoutState.PROPOSED, PayoutState.APPROVED],
        target=PayoutState.CANCELLED,
    )
    def cancel(self, reason: str) -> None:
        self.cancel_reason = reason

    @transition(field=state, source=PayoutState.CANCELLED, target=PayoutState.PROPOSED)
    def propose_again(self, actor: object, amount: object) -> None:
        self.proposed_by, self.amount = actor, amount
        self.approved_by = self.approved_at = None
        self.cancel_reason = ""


class RecourseEntry(models.Model):
    """What a shop owes the certifier for one paid claim; written once, never changed."""

    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="recourse")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="recourse_entries")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="recourse_entries")
    amount = models.DecimalField(_("amount owed"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("recourse entry")
        verbose_name_plural = _("recourse entries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recourse_amount_positive")
        ]
        triggers = [
            pgtrigger.Protect(
                name="recourse_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.amount} {self.currency}"


@pghistory.track(pghistory.InsertEvent("reimbursed"))
class RecourseReimbursement(models.Model):
    """The member paid back one recourse entry: recorded once by an administrator, never changed."""

    entry = models.OneToOneField(
        RecourseEntry, on_delete=models.PROTECT, related_name="reimbursement"
    )
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("recourse reimbursement")
        verbose_name_plural = _("recourse reimbursements")
        triggers = [
            pgtrigger.Protect(
                name="reimbursement_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.received_on}"
