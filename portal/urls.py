from django.urls import include, path

from notifications.demo_receiver import demo_receiver
from portal import mark_views, search_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/search/", search_views.staff_search, name="search"),
    path("portal/shops/", views.shop_list, name="shop_list"),
    path("portal/integrations/", include("certification.integration_urls")),
    path("demo/webhook-receiver/", demo_receiver, name="demo_webhook_receiver"),
    path("portal/shops/<str:public_id>/", views.shop_detail, name="shop_detail"),
    path("portal/members/<int:member_id>/team/", views.team, name="team"),
    path(
        "portal/members/<int:member_id>/team/<int:user_id>/",
        views.team_person,
        name="team_person",
    ),
    path(
        "portal/members/<int:member_id>/team/<int:user_id>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path(
        "portal/members/<int:member_id>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path(
        "portal/shops/<str:public_id>/checkout-secret/",
        views.checkout_secret_rotate,
        name="checkout_secret_rotate",
    ),
    path("portal/shops/<str:public_id>/api-keys/", views.api_key_create, name="api_key_create"),
    path(
        "portal/shops/<str:public_id>/api-keys/<int:key_id>/revoke/",
        views.api_key_revoke,
        name="api_key_revoke",
    ),
    path("portal/marks/", mark_views.mark_list, name="mark_list"),
    path("portal/marks/<str:number>/", mark_views.mark_detail, name="mark_detail"),
    path(
        "portal/marks/<str:number>/<slug:action>/",
        mark_views.mark_action,
        name="mark_action",
    ),
    path(
        "portal/shops/<str:public_id>/documents/<int:version>/",
        mark_views.document_download,
        name="document_download",
    ),
]
