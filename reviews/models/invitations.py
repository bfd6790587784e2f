"""Invitations to review: one per order, sent by the worker after the shop's delay.

Every order is invited the same way (no filter on satisfaction): the shop
chooses only the delay and one optional reminder. The timestamps are the
funnel's events (sent, delivered, clicked, reviewed, unsubscribed).
"""

from __future__ import annotations

import hashlib
import secrets

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models import Shop
from guarantees.models import Guarantee
from reviews.models.products import Product


def new_token() -> str:
    return secrets.token_urlsafe(24)


class InvitationSource(models.TextChoices):
    GUARANTEE = "guarantee", _("Guarantee registered")
    API = "api", _("Checkout (API)")
    UPLOAD = "upload", _("Uploaded list")


class InvitationState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    REVIEWED = "reviewed", _("Reviewed")
    EXPIRED = "expired", _("Expired")


# An invitation whose link still leads to a review form.
USABLE_STATES = [InvitationState.SCHEDULED, InvitationState.SENT, InvitationState.OPENED]


@pghistory.track(
    pghistory.InsertEvent("created"), pghistory.UpdateEvent("changed"), exclude=["email", "name"]
)
class Invitation(ConcurrentTransitionMixin, models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="invitations")
    guarantee = models.OneToOneField(
        Guarantee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_invitation",
    )
    source = models.CharField(_("source"), max_length=16, choices=InvitationSource.choices)
    order_reference = models.CharField(_("order reference"), max_length=100)
    email = models.EmailField(_("buyer's email"), blank=True)
    name = models.CharField(_("buyer's name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    order_date = models.DateField(_("order date"))
    expected_delivery_date = models.DateField(_("expected delivery"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    state = FSMField(
        _("status"),
        max_length=16,
        default=InvitationState.SCHEDULED,
        choices=InvitationState.choices,
        protected=True,
    )
    send_at = models.DateTimeField(_("to be sent"))
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    review_until = models.DateField(_("reviews accepted until"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review invitation")
        verbose_name_plural = _("review invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "order_reference"],
                name="reviews_one_invitation_per_order",
                violation_error_message=_("This order has already been invited."),
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=False) | ~Q(email=""),
                name="reviews_invitation_has_email_until_erased",
            ),
        ]
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=Q(state="scheduled"),
                name="invitation_due_idx",
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(state__in=["sent", "opened"], reminded_at__isnull=True),
                name="invitation_remind_idx",
            ),
            models.Index(fields=["shop", "-created_at"], name="invitation_shop_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.order_reference}"

    @property
    def is_usable(self) -> bool:
        return self.state in USABLE_STATES and timezone.localdate() <= self.review_until

    @transition(field=state, source=InvitationState.SCHEDULED, target=InvitationState.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=state, source=InvitationState.SCHEDULED, target=InvitationState.SENT)
    def mark_sent(self) -> None:
        self.sent_at = timezone.now()

    @transition(
        field=state,
        source=[InvitationState.SCHEDULED, InvitationState.SENT],
        target=InvitationState.OPENED,
    )
    def open(self) -> None:
        self.clicked_at = self.clicked_at or timezone.now()

    @transition(field=state, source=USABLE_STATES, target=InvitationState.REVIEWED)
    def mark_reviewed(self) -> None:
        self.reviewed_at = timezone.now()

    @transition(
        field=state,
        source=[InvitationState.SCHEDULED, InvitationState.SENT, InvitationState.OPENED],
        target=InvitationState.EXPIRED,
    )
    def expire(self) -> None:
        pass


class InvitationLine(models.Model):
    """One item of the invited order: each may get its own product review."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "product"], name="reviews_one_line_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.product.sku}"


def email_digest(email: str) -> str:
    """Unsubscribes are kept by a digest of the address, not the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Unsubscribe(models.Model):
    """No more invitations to this address: from one shop, or from every shop (shop empty)."""

    email_sha256 = models.CharField(max_length=64)
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, null=True, blank=True, related_name="unsubscribes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        constraints = [
            models.UniqueConstraint(
                fields=["email_sha256", "shop"],
                name="reviews_unsubscribe_once_per_shop",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.email_sha256[:12]
