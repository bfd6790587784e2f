from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from guarantees.models import ApiKey, CoverCap, Guarantee


@admin.register(CoverCap)
class CoverCapAdmin(admin.ModelAdmin):
    """Caps are data: administrators change them here; guarantees keep the cap they got."""

    list_display = ["plan", "currency", "cap"]


@admin.register(Guarantee)
class GuaranteeAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "shop",
        "order_reference",
        "cover_amount",
        "currency",
        "state",
        "cover_until",
    ]
    list_filter = ["state", "plan", "channel"]
    search_fields = ["number", "order_reference", "buyer_email", "shop__domain"]
    list_select_related = ["shop"]
    readonly_fields = [f.name for f in Guarantee._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [
        "shop",
        "name",
        "prefix",
        "key_hash",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["shop"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
