"""Django admin for reviews: the theme taxonomy is edited here; everything else is read-only.

Reviews, reports and invitations change state only through their services
(moderation queue, portal, buyer pages), so the admin shows them without
letting anyone edit, add or delete them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reviews import themes
from reviews.models import (
    AlertPreference,
    Invitation,
    Product,
    ProductRating,
    Report,
    Review,
    ReviewSettings,
    ShopRating,
    Theme,
    Unsubscribe,
)
from reviews.ratings import visible


class ThemeForm(forms.ModelForm):
    """A theme needs a name and at least one keyword that stems to a word."""

    language = forms.ChoiceField(label=gettext_lazy("language"), choices=settings.LANGUAGES)

    class Meta:
        model = Theme
        fields = ["code", "language", "name", "keywords"]
        error_messages = {
            "name": {"required": gettext_lazy("Give the theme a name.")},
            "keywords": {
                "required": gettext_lazy("List at least one keyword (one word or phrase per line).")
            },
        }

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Give the theme a name."))
        return name

    def clean_keywords(self) -> str:
        lines = themes.keyword_lines(self.cleaned_data.get("keywords") or "")
        language = self.data.get("language") or "en"
        if not themes.compile_keywords(lines, language):
            raise forms.ValidationError(
                _("List at least one keyword (one word or phrase per line).")
            )
        return "\n".join(lines)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeForm
    list_display = ["code", "language", "name", "keyword_count"]
    list_filter = ["language", "code"]
    search_fields = ["code", "name", "keywords"]
    actions = ["match_reviews_again"]

    @admin.display(description=gettext_lazy("keywords"))
    def keyword_count(self, obj: Theme) -> int:
        return len(themes.keyword_lines(obj.keywords))

    @admin.action(description=gettext_lazy("Match the visible reviews again in these languages"))
    def match_reviews_again(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        languages = set(queryset.values_list("language", flat=True))
        rows = visible(Review.objects.all())
        if themes.FALLBACK not in languages:
            rows = rows.filter(language__in=languages)
        changed = themes.retag(
            rows.only(
                "pk", "title", "comment", "redacted_comment", "redacted_at", "language", "themes"
            ).iterator()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d review has new themes.", "%(count)d reviews have new themes.", changed
            )
            % {"count": changed},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for looking up; changed only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["pk", "shop", "subject", "stars", "label", "state", "submitted_at"]
    list_filter = ["state", "subject", "label", "language"]
    search_fields = ["shop__domain", "product__sku"]
    list_select_related = ["shop"]
    exclude = ["author_email", "fingerprint"]
    show_full_result_count = False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "review", "reason", "state", "decision", "created_at"]
    list_filter = ["state", "reason", "decision"]
    list_select_related = ["review__shop", "review__product"]
    show_full_result_count = False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["order_reference", "shop", "source", "state", "send_at", "sent_at"]
    list_filter = ["state", "source"]
    search_fields = ["order_reference", "shop__domain"]
    list_select_related = ["shop"]
    exclude = ["email", "name", "token"]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "shop", "gtin", "brand"]
    search_fields = ["sku", "name", "gtin", "shop__domain"]
    list_select_related = ["shop"]


@admin.register(ProductRating)
class ProductRatingAdmin(ReadOnlyAdmin):
    list_display = ["product", "average", "count", "computed_at"]
    list_select_related = ["product__shop"]


@admin.register(ShopRating)
class ShopRatingAdmin(ReadOnlyAdmin):
    list_display = ["shop", "grade", "count", "window_start", "computed_at"]
    list_select_related = ["shop"]


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(ReadOnlyAdmin):
    list_display = ["shop", "enabled", "mode", "allow_open_link", "invite_delay_days"]
    list_filter = ["enabled", "mode"]
    list_select_related = ["shop"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "shop", "buckets"]
    list_select_related = ["user", "shop"]


@admin.register(Unsubscribe)
class UnsubscribeAdmin(ReadOnlyAdmin):
    list_display = ["email_sha256", "shop", "created_at"]
    list_select_related = ["shop"]
