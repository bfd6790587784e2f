"""Staff: the moderation queue, held reviews, reports on reviews; the shop's report and contest."""

from django.urls import path

from reviews import moderation_views as views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("held/<int:pk>/", views.held, name="held"),
    path("held/<int:pk>/<slug:action>/", views.held_action, name="held_action"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
    path("shop/reviews/<int:pk>/report/", views.shop_report, name="report"),
    path("shop/reports/<int:pk>/contest/", views.shop_contest, name="contest"),
]
