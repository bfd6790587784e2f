"""The buyer's side: the invitation's review form, its items, the open link, the author's page."""

from django.urls import path

from reviews import buyer_views

app_name = "review_buyer"

urlpatterns = [
    path("mine/<str:token>/", buyer_views.mine, name="mine"),
    path("shop/<str:public_id>/write/", buyer_views.open_link, name="write"),
    path("<str:token>/products/", buyer_views.products, name="products"),
    path("<str:token>/", buyer_views.invitation, name="invitation"),
]
