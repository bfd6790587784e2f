"""Member portal: invitations of a shop, the upload of an order list with its preview."""

from django.urls import path

from reviews import portal_invitation_views as views

app_name = "review_invites_portal"

urlpatterns = [
    path("", views.invitation_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("upload/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
