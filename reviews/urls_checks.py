"""How we check reviews (the public disclosure), and reporting a review from the public."""

from django.urls import URLPattern

app_name = "review_checks"

urlpatterns: list[URLPattern] = []
