"""Buyer guarantees, the caps of each plan, shop API keys and idempotent API requests."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models import Shop


class Plan(models.TextChoices):
    BASIC = "basic", _("Basic")
    PLUS = "plus", _("Plus")


class CoverCap(models.Model):
    """How much one purchase is covered for, per plan and currency: data, not code."""

    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices)
    currency = models.CharField(_("currency"), max_length=3)
    cap = models.DecimalField(_("cap per purchase"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("cover cap")
        verbose_name_plural = _("cover caps")
        ordering = ["plan", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="guarantees_one_cap_each"),
            models.CheckConstraint(condition=Q(cap__gt=0), name="guarantees_cap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_plan_display()} {self.currency} {self.cap}"


class GuaranteeNumber(Func):
    """`G-<year>-<0000042>`: the next value of guarantees_number_seq, made by the INSERT itself.

    The column's default (the current year of the database clock); the registration passes
    the local year. Either way INSERT ... RETURNING hands the number back, no second query.
    """

    function = "guarantees_next_number"
    output_field = models.CharField()

    def __init__(self, year: int | None = None) -> None:
        super().__init__(*([Value(year)] if year is not None else []))


class GuaranteeState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLAIMED = "claimed", _("Claim open")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    CHECKOUT = "checkout", _("Checkout link")
    API = "api", _("Shop API")
    BUYER = "buyer", _("Verification page")


@pghistory.track(pghistory.InsertEvent("registered"), pghistory.UpdateEvent("changed"))
class Guarantee(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(
        _("number"), max_length=24, unique=True, editable=False, db_default=GuaranteeNumber()
    )
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="guarantees")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guarantees",
    )
    buyer_email = models.EmailField(_("buyer's email"))
    buyer_name = models.CharField(_("buyer's name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    order_reference = models.CharField(_("order reference"), max_length=100)
    amount = models.DecimalField(_("order amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    purchase_date = models.DateField(_("purchase date"))
    expected_delivery_date = models.DateField(_("expected delivery"), null=True, blank=True)
    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices, default=Plan.BASIC)
    cap_amount = models.DecimalField(_("cap of the plan"), max_digits=12, decimal_places=2)
    cover_amount = models.DecimalField(_("amount covered"), max_digits=12, decimal_places=2)
    cover_until = models.DateField(_("covered until"))
    channel = models.CharField(_("registered through"), max_length=16, choices=Channel.choices)
    state = FSMField(
        _("status"), default=GuaranteeState.ACTIVE, choices=GuaranteeState.choices, protected=True
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "order_reference"], name="guarantees_one_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="guarantees_amount_positive"),
            models.CheckConstraint(
                condition=Q(cover_amount__gt=0), name="guarantees_cover_positive"
            ),
            models.CheckConstraint(
                condition=Q(cover_amount__lte=F("cap_amount")), name="guarantees_cover_within_cap"
            ),
            models.CheckConstraint(
                condition=Q(cover_amount__lte=F("amount")), name="guarantees_cover_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(cover_until__gte=F("purchase_date")),
                name="guarantees_cover_after_purchase",
            ),
        ]
        indexes = [
            models.Index(
                fields=["cover_until"],
                condition=Q(state="active"),
                name="guarantee_active_until_idx",
            ),
            # One shop's guarantees newest first, paged by (created_at, id) from the cursor
            # on (the member's guarantee list, the shop API); the included columns let the
            # list's totals per currency read the index alone.
            models.Index(
                fields=["shop", "created_at", "id"],
                include=["currency", "amount", "cover_amount"],
                name="guarantee_shop_page_idx",
            ),
            # Every shop's guarantees newest first: the list of a member with many
            # guarantees reads it backwards, keeping its own shops' rows, and stops after
            # a page (PostgreSQL picks it over sorting all of them when their share is big).
            models.Index(fields=["created_at", "id"], name="guarantee_recent_idx"),
            # "My guarantees": the buyer's account or the address the guarantee names.
            models.Index(fields=["buyer_email"], name="guarantee_buyer_email_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @transition(field=state, source=GuaranteeState.ACTIVE, target=GuaranteeState.EXPIRED)
    def expire(self) -> None:
        pass

    @transition(field=state, source=GuaranteeState.ACTIVE, target=GuaranteeState.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=state, source=GuaranteeState.ACTIVE, target=GuaranteeState.CLAIMED)
    def open_claim(self) -> None:
        pass

    @transition(field=state, source=GuaranteeState.CLAIMED, target=GuaranteeState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=GuaranteeState.CLAIMED, target=GuaranteeState.ACTIVE)
    def release(self) -> None:
        """The claim was withdrawn: the purchase is protected again for the rest of its cover."""


class ApiKey(models.Model):
    """A shop's key for the API; only its SHA-256 is kept, the key is shown once."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """The first answer to an API write, replayed for the same key and body."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_one_per_key")
        ]

    def __str__(self) -> str:
        return self.key


class CheckoutSecret(models.Model):
    """The rotation counter of a shop's checkout secret; the secret itself is derived."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="checkout_secret")
    rotation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("checkout secret")
        verbose_name_plural = _("checkout secrets")

    def __str__(self) -> str:
        return f"{self.shop} #{self.rotation}"
