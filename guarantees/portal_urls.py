from django.urls import path

from guarantees import portal_views

app_name = "guarantee_portal"

urlpatterns = [
    path("", portal_views.guarantee_list, name="list"),
]
