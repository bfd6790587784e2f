"""Member portal pages for webhook endpoints (included by portal/urls.py)."""

from django.urls import path

from certification import integration_views as views

app_name = "integrations"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_add, name="add"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("<int:pk>/enable/", views.endpoint_enable, name="enable"),
    path("<int:pk>/disable/", views.endpoint_disable, name="disable"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/ping/", views.endpoint_ping, name="ping"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path(
        "<int:pk>/deliveries/<int:delivery_id>/resend/",
        views.delivery_resend,
        name="resend",
    ),
]
