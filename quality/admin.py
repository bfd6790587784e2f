"""Administrators edit thresholds here (validated, with history); the rest is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.history import acting
from quality.models import MarkReview, QualityIndicator, Threshold, ZoneState


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ("key", "higher_is_worse", "yellow", "red", "min_sample", "updated_at")
    readonly_fields = ("key", "higher_is_worse", "updated_at")
    fields = ("key", "higher_is_worse", "yellow", "red", "min_sample", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Threshold, form: Any, change: bool) -> None:
        with acting(request.user, "threshold_changed"):
            super().save_model(request, obj, form, change)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QualityIndicator)
class QualityIndicatorAdmin(ReadOnly):
    list_display = ("shop", "key", "day", "value", "low", "high", "sample", "zone", "percentile")
    list_filter = ("key", "zone")
    list_select_related = ("shop",)
    date_hierarchy = "day"


@admin.register(ZoneState)
class ZoneStateAdmin(ReadOnly):
    list_display = ("shop", "key", "zone", "since", "value", "sample")
    list_filter = ("zone", "key")
    list_select_related = ("shop",)


@admin.register(MarkReview)
class MarkReviewAdmin(ReadOnly):
    list_display = ("shop", "state", "red_since", "opened_at", "decided_at")
    list_filter = ("state",)
    list_select_related = ("shop",)
