"""Quality indicators: daily rows per shop, thresholds as data, zone states and mark reviews."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certification.models import Shop
from quality.definitions import Key


class ZoneChoice(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    INSUFFICIENT = "insufficient", _("Not enough data")


@pghistory.track(pghistory.InsertEvent("created"), pghistory.UpdateEvent("changed"))
class Threshold(models.Model):
    """Where yellow and red begin for one indicator; edited by administrators, with history."""

    key = models.CharField(_("indicator"), max_length=32, choices=Key.choices, unique=True)
    higher_is_worse = models.BooleanField(_("higher is worse"), editable=False)
    yellow = models.DecimalField(_("yellow beyond"), max_digits=12, decimal_places=3)
    red = models.DecimalField(_("red beyond"), max_digits=12, decimal_places=3)
    min_sample = models.PositiveIntegerField(_("minimum sample"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(higher_is_worse=True, yellow__lte=F("red"))
                | Q(higher_is_worse=False, yellow__gte=F("red")),
                name="quality_yellow_not_stricter_than_red",
                violation_error_message=_("Yellow must begin before red."),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_key_display())

    def clean(self) -> None:
        super().clean()
        if self.yellow is None or self.red is None:
            return
        if self.higher_is_worse and self.yellow > self.red:
            raise ValidationError(
                {
                    "yellow": _(
                        "Higher values are worse here: the yellow threshold (%(yellow)s) "
                        "cannot be above the red one (%(red)s)."
                    )
                    % {"yellow": self.yellow, "red": self.red}
                }
            )
        if not self.higher_is_worse and self.yellow < self.red:
            raise ValidationError(
                {
                    "yellow": _(
                        "Lower values are worse here: the yellow threshold (%(yellow)s) "
                        "cannot be below the red one (%(red)s)."
                    )
                    % {"yellow": self.yellow, "red": self.red}
                }
            )


class QualityIndicator(models.Model):
    """One indicator of one shop on one certifier day: value, 95% interval, sample, zone."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="quality_indicators")
    key = models.CharField(_("indicator"), max_length=32, choices=Key.choices)
    day = models.DateField(_("day"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True)
    low = models.DecimalField(_("lower bound"), max_digits=14, decimal_places=3, null=True)
    high = models.DecimalField(_("upper bound"), max_digits=14, decimal_places=3, null=True)
    sample = models.PositiveIntegerField(_("sample"), default=0)
    zone = models.CharField(_("zone"), max_length=16, choices=ZoneChoice.choices)
    percentile = models.PositiveSmallIntegerField(_("percentile in the market"), null=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("quality indicator")
        verbose_name_plural = _("quality indicators")
        ordering = ["shop", "key", "day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "key", "day"], name="quality_one_row_per_day"),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(value__isnull=False, low__lte=F("value")),
                name="quality_low_below_value",
            ),
            models.CheckConstraint(
                condition=Q(high__isnull=True) | Q(value__isnull=False, high__gte=F("value")),
                name="quality_high_above_value",
            ),
            models.CheckConstraint(
                condition=Q(zone__in=["green", "yellow", "red", "insufficient"]),
                name="quality_zone_known",
            ),
        ]
        indexes = [
            models.Index(fields=["day", "key", "zone"], name="quality_day_key_zone_idx"),
            models.Index(fields=["shop", "day"], name="quality_shop_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.key} {self.day}: {self.zone}"


class ZoneState(models.Model):
    """The current zone of one shop's indicator and since when: alerts fire on its changes.

    Shops in yellow and red form the staff queue, newest first.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="quality_zones")
    key = models.CharField(_("indicator"), max_length=32, choices=Key.choices)
    zone = models.CharField(_("zone"), max_length=16, choices=ZoneChoice.choices)
    since = models.DateField(_("since"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True)
    low = models.DecimalField(_("lower bound"), max_digits=14, decimal_places=3, null=True)
    high = models.DecimalField(_("upper bound"), max_digits=14, decimal_places=3, null=True)
    sample = models.PositiveIntegerField(_("sample"), default=0)

    class Meta:
        verbose_name = _("zone of an indicator")
        verbose_name_plural = _("zones of indicators")
        constraints = [
            models.UniqueConstraint(fields=["shop", "key"], name="quality_one_zone_state"),
        ]
        indexes = [
            models.Index(
                fields=["-changed_at"],
                condition=Q(zone__in=["yellow", "red"]),
                name="quality_alert_queue_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.key}: {self.zone}"


class RefreshMark(models.Model):
    """When the event-driven refresh last looked for changes (one row)."""

    name = models.CharField(max_length=32, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_run_at}"


class ReviewState(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Mark suspended")
    DISMISSED = "dismissed", _("Dismissed")


@pghistory.track(pghistory.InsertEvent("opened"), pghistory.UpdateEvent("changed"))
class MarkReview(ConcurrentTransitionMixin, models.Model):
    """A shop red for QUALITY_RED_DAYS days in a row: its trust mark is up for review.

    One case per red episode (the first red day of the streak), at most one open per shop.
    """

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="mark_reviews")
    state = FSMField(
        _("status"), default=ReviewState.OPEN, choices=ReviewState.choices, protected=True
    )
    red_since = models.DateField(_("red since"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    evidence = models.JSONField(_("evidence"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("mark review")
        verbose_name_plural = _("mark reviews")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop"], condition=Q(state="open"), name="quality_one_open_review"
            ),
            models.UniqueConstraint(
                fields=["shop", "red_since"], name="quality_one_review_per_episode"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | (Q(decided_at__isnull=False) & ~Q(reason="")),
                name="quality_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.red_since}"

    @transition(field=state, source=ReviewState.OPEN, target=ReviewState.SUSPENDED)
    def suspend(self, actor: object, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = actor, reason, timezone.now()

    @transition(field=state, source=ReviewState.OPEN, target=ReviewState.DISMISSED)
    def dismiss(self, actor: object, reason: str) -> None:
        self.decided_by, self.reason, self.decided_at = actor, reason, timezone.now()
