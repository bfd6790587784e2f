"""Member portal and staff: the invitation funnel, themes, the benchmark and exports."""

from django.urls import URLPattern, path

from reviews import insight_views

app_name = "review_insights"

urlpatterns: list[URLPattern] = [
    path("", insight_views.overview, name="overview"),
    path("reviews/", insight_views.review_list, name="reviews"),
    path(
        "export/<slug:kind>/",
        insight_views.export,
        name="export",
    ),
]
