"""Links in invitation emails: rate later, unsubscribe from one shop or from every shop."""

from django.urls import URLPattern

app_name = "review_invitations"

urlpatterns: list[URLPattern] = []
