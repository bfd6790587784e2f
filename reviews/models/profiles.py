"""Per shop: whether reviews are on and how they are collected, and the rating profile's figures."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.models import Shop


class ReviewMode(models.TextChoices):
    THREE_CRITERIA = "three", _("Service, delivery and product")
    ONE_CRITERION = "one", _("Service only")


@pghistory.track(pghistory.UpdateEvent("changed"))
class ReviewSettings(models.Model):
    """How one shop collects reviews; a mode switch is recorded in the history."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="review_settings")
    enabled = models.BooleanField(_("reviews on"), default=False)
    mode = models.CharField(
        _("criteria"), max_length=8, choices=ReviewMode.choices, default=ReviewMode.THREE_CRITERIA
    )
    mode_changed_at = models.DateTimeField(_("criteria changed"), null=True, blank=True)
    allow_open_link = models.BooleanField(
        _("accept reviews without an order (labelled not verified)"), default=False
    )
    invite_after_guarantee = models.BooleanField(
        _("invite every buyer who registers a guarantee"), default=True
    )
    invite_delay_days = models.PositiveSmallIntegerField(
        _("days after the order (or the expected delivery) to invite"), default=7
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days after the invitation to remind once (empty: no reminder)"),
        null=True,
        blank=True,
        default=7,
    )
    logo_url = models.URLField(_("logo shown in invitation emails"), blank=True)
    negative_report_warnings = models.PositiveSmallIntegerField(default=0, editable=False)
    public_note_since = models.DateTimeField(
        _("reports mostly negative reviews (public note)"), null=True, blank=True, editable=False
    )
    # When the warning went out: the second time is judged on the reports made after it.
    negative_report_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(invite_delay_days__lte=90), name="reviews_invite_delay_at_most_90"
            ),
            models.CheckConstraint(
                condition=Q(reminder_days__isnull=True)
                | (Q(reminder_days__gte=1) & Q(reminder_days__lte=30)),
                name="reviews_reminder_between_1_and_30",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop} — {self.get_mode_display()}"


class ShopRating(models.Model):
    """The rating profile's figures, recomputed in the transaction of every change moving them."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="rating")
    grade = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    service = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    delivery = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    product = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    distribution = models.JSONField(default=dict)
    window_start = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rating profile")
        verbose_name_plural = _("rating profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=1) & Q(grade__lte=5)),
                name="reviews_grade_between_1_and_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop}: {self.grade}"


class StarBucket(models.TextChoices):
    NEGATIVE = "1-2", _("1 or 2 stars")
    NEUTRAL = "3", _("3 stars")
    POSITIVE = "4-5", _("4 or 5 stars")


class AlertPreference(models.Model):
    """Which new reviews of a member's shops alert this person, by star bucket."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_alerts"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="review_alerts")
    buckets = ArrayField(models.CharField(max_length=4, choices=StarBucket.choices), default=list)

    class Meta:
        verbose_name = _("review alert")
        verbose_name_plural = _("review alerts")
        constraints = [
            models.UniqueConstraint(fields=["user", "shop"], name="reviews_one_alert_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.shop}"
