"""The trust mark: one shop's certificate, its number, validity and lifecycle."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models.members import Shop


class MarkState(models.TextChoices):
    ACTIVE = "active", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


LIVE_MARK_STATES = (MarkState.ACTIVE, MarkState.SUSPENDED)


class SuspensionReason(models.TextChoices):
    CRITERIA_BREACH = "criteria_breach", _("Breach of the quality criteria")
    UNANSWERED_CLAIMS = "unanswered_claims", _("Unanswered buyer claims")
    QUALITY_RED_ZONE = "quality_red_zone", _("Quality indicators in the red zone")
    UNPAID_FEES = "unpaid_fees", _("Unpaid fees")
    OTHER = "other", _("Other")


@pghistory.track(pghistory.InsertEvent("issued"), pghistory.UpdateEvent("changed"))
class TrustMark(ConcurrentTransitionMixin, models.Model):
    """A shop's certificate. At most one live (valid or suspended) mark per shop."""

    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="marks", verbose_name=_("shop")
    )
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    state = FSMField(
        _("status"), default=MarkState.ACTIVE, choices=MarkState.choices, protected=True
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    suspension_reason = models.CharField(
        _("suspension reason"), max_length=32, choices=SuspensionReason.choices, blank=True
    )
    status_note = models.TextField(_("note on the status"), blank=True)
    last_audit_on = models.DateField(_("last audit"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trust mark")
        verbose_name_plural = _("trust marks")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(state__in=["active", "suspended"]),
                name="certification_one_live_mark_per_shop",
                violation_error_message=_("This shop already has a live trust mark."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")),
                name="certification_mark_validity_positive",
            ),
            models.CheckConstraint(
                condition=~Q(state="suspended") | ~Q(suspension_reason=""),
                name="certification_suspended_mark_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "suspended", "revoked", "expired"]),
                name="certification_mark_state_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["valid_until"],
                condition=Q(state__in=["active", "suspended"]),
                name="cert_live_mark_valid_until_idx",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_MARK_STATES

    @transition(field=state, source=MarkState.ACTIVE, target=MarkState.SUSPENDED)
    def suspend(self, reason: str, note: str) -> None:
        self.suspension_reason = reason
        self.status_note = note

    @transition(field=state, source=MarkState.SUSPENDED, target=MarkState.ACTIVE)
    def reinstate(self, note: str) -> None:
        self.suspension_reason = ""
        self.status_note = note

    @transition(
        field=state, source=[MarkState.ACTIVE, MarkState.SUSPENDED], target=MarkState.REVOKED
    )
    def revoke(self, reason: str) -> None:
        self.status_note = reason

    @transition(
        field=state, source=[MarkState.ACTIVE, MarkState.SUSPENDED], target=MarkState.EXPIRED
    )
    def expire(self) -> None:
        self.status_note = ""


class BadgeMisuse(models.Model):
    """A foreign site that showed a shop's badge: counted in the cache, flushed here."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="badge_misuse")
    host = models.CharField(_("host"), max_length=253)
    count = models.PositiveBigIntegerField(_("requests"), default=0)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("badge shown on a foreign site")
        verbose_name_plural = _("badges shown on foreign sites")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "host"], name="badge_misuse_one_row_per_host")
        ]

    def __str__(self) -> str:
        return f"{self.host} ({self.count})"
