"""Member portal: the shop's reviews, negative reviews to answer, replies, settings, alerts."""

from django.urls import URLPattern

app_name = "review_portal"

urlpatterns: list[URLPattern] = []
