"""Public pages on our domain: the rating profile, product reviews, the review widgets."""

from django.urls import URLPattern

app_name = "reviews"

urlpatterns: list[URLPattern] = []
