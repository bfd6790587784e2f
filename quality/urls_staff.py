from django.urls import path

from quality import staff_views

app_name = "quality_staff"

urlpatterns = [
    path("", staff_views.alerts, name="alerts"),
    path("reviews/", staff_views.reviews, name="reviews"),
    path("reviews/<int:pk>/", staff_views.review, name="review"),
]
