from django.contrib import admin

from notifications.models import OutgoingMessage


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ["template", "to_email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "template", "channel"]
    search_fields = ["to_email", "subject"]
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
