"""Member portal and staff: the invitation funnel, themes, the benchmark and exports."""

from django.urls import URLPattern

app_name = "review_insights"

urlpatterns: list[URLPattern] = []
