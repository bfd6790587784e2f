from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.ask_link, name="ask_link"),
    path("account/", views.account, name="account"),
    path("account/download/", views.account_download, name="account_download"),
    path("l/<str:token>/", views.link, name="link"),
    path("l/<str:token>/download/", views.link_download, name="link_download"),
]
