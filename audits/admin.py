"""Admin: the catalogue (edit drafts, publish) and read-only audits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits import catalogue
from audits.models import Audit, Category, CriteriaSet, Criterion, DocumentRender, Finding
from core.errors import DomainError


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["code", "category", "order", "severity", "applies_to"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == CriteriaSet.Status.DRAFT


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["version", "status", "published_on"]
    readonly_fields = ["status", "published_on"]
    inlines = [CriterionInline]
    actions = ["copy_as_draft", "publish"]

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request: HttpRequest, queryset: Any) -> None:
        for source in queryset:
            version = f"{source.version}-draft-{timezone.now():%Y%m%d%H%M%S}"
            catalogue.copy_as_draft(source=source, version=version, actor=request.user)
            self.message_user(request, _("Draft %(v)s created.") % {"v": version})

    @admin.action(description=_("Publish (becomes the active catalogue)"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for criteria_set in queryset:
            try:
                catalogue.publish(criteria_set=criteria_set, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("%(v)s is published.") % {"v": criteria_set.version})


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "criteria_set", "category", "severity", "applies_to"]
    list_filter = ["criteria_set", "severity", "applies_to", "category__code"]
    search_fields = ["code"]
    list_select_related = ["criteria_set", "category"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Published criteria are frozen: audits keep the text they were made against."""
        return obj is None or obj.criteria_set.status == CriteriaSet.Status.DRAFT


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "criteria_set", "order"]
    list_filter = ["criteria_set"]


class FindingInline(admin.TabularInline):
    model = Finding
    fields = ["criterion", "result", "auditor_note", "merchant_answer"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    """Read-only: audits move through the workspace, which calls the services."""

    list_display = ["pk", "shop", "kind", "state", "auditor", "requested_at", "fix_due_at"]
    list_filter = ["state", "kind"]
    search_fields = ["shop__domain", "shop__member__legal_name"]
    list_select_related = ["shop", "auditor"]
    readonly_fields = [f.name for f in Audit._meta.fields]
    inlines = [FindingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentRender)
class DocumentRenderAdmin(admin.ModelAdmin):
    """Promised documents: a row still pending with an error is a render the sweeper retries."""

    list_display = ["audit", "kind", "round", "status", "attempts", "created_at", "done_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in DocumentRender._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a deleted promise is a document nobody renders
