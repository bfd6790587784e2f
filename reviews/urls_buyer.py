"""The buyer's side: the invitation's review form, its items, the open link, the author's page."""

from django.urls import URLPattern

app_name = "review_buyer"

urlpatterns: list[URLPattern] = []
