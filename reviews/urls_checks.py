"""How we check reviews (the public disclosure), reporting a review from the public, and the
author's answer to a report and contest through their own link."""

from django.urls import path

from reviews import check_views as views

app_name = "review_checks"

urlpatterns = [
    path("how-we-check/", views.how_we_check, name="how_we_check"),
    path("report/<int:pk>/", views.public_report, name="report"),
    path("author/<str:token>/respond/", views.respond, name="respond"),
    path("author/<str:token>/contest/", views.contest, name="contest"),
]
