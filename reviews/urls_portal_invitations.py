"""Member portal: invitations of a shop, the upload of an order list with its preview."""

from django.urls import URLPattern

app_name = "review_invites_portal"

urlpatterns: list[URLPattern] = []
