"""Member portal: the shop's reviews, negative reviews to answer, replies, settings, alerts."""

from django.urls import URLPattern, path

from reviews import portal_views

app_name = "review_portal"

urlpatterns: list[URLPattern] = [
    path("", portal_views.review_list, name="list"),
    path("negative/", portal_views.negatives, name="negatives"),
    path("alerts/", portal_views.alerts, name="alerts"),
    path("shops/", portal_views.shops, name="shops"),
    path("shops/<str:public_id>/settings/", portal_views.shop_settings, name="settings"),
    path("<int:pk>/", portal_views.review_detail, name="review"),
    path("<int:pk>/reply/", portal_views.review_reply, name="reply"),
    path("<int:pk>/message/", portal_views.review_message, name="message"),
]
