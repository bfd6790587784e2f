"""Links in invitation emails: rate later, unsubscribe from one shop or from every shop."""

from django.urls import path

from reviews import invitation_views

app_name = "review_invitations"

urlpatterns = [
    path("<str:token>/later/", invitation_views.later, name="later"),
    path("<str:token>/unsubscribe/", invitation_views.unsubscribe, name="unsubscribe"),
    path("<str:token>/unsubscribe/all/", invitation_views.unsubscribe_all, name="unsubscribe_all"),
]
