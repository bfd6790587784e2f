from django.urls import path

from notifications import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/read/", views.message_read, name="read"),
]
