from django.contrib import admin

from notifications.models import OutgoingMessage, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["template", "to_email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "template", "channel"]
    search_fields = ["to_email", "subject"]
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints change through the portal's services (rights, history); here: to look."""

    list_display = ["url", "member", "enabled", "created_at", "failing_since"]
    list_filter = ["enabled"]
    search_fields = ["url", "member__legal_name"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = [
        f.name for f in WebhookEndpoint._meta.fields if f.name not in ("secret", "previous_secret")
    ] + ["shops"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


class _LogAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(_LogAdmin):
    list_display = ["event_id", "type", "member", "shop", "created_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "member__legal_name"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_LogAdmin):
    list_display = ["event", "endpoint", "state", "attempts", "last_status", "next_attempt_at"]
    list_filter = ["state"]
    list_select_related = ["event", "endpoint"]
