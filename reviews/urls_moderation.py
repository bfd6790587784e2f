"""Staff: the moderation queue, held reviews and the reports on reviews."""

from django.urls import URLPattern

app_name = "moderation"

urlpatterns: list[URLPattern] = []
