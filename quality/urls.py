from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:public_id>/", views.shop, name="shop"),
    path("<str:public_id>/<str:key>.svg", views.chart, name="chart"),
]
