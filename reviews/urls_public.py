"""Public pages on our domain: the rating profile, product reviews, the review widgets."""

from django.urls import path

from reviews import public_views, widgets

app_name = "reviews"

urlpatterns = [
    path("photos/<int:photo_id>/", public_views.photo, name="photo"),
    path("<str:public_id>/", public_views.profile, name="profile"),
    path("<str:public_id>/widget.html", widgets.shop_widget, name="widget"),
    path("<str:public_id>/widget.json", widgets.shop_widget_json, name="widget_json"),
    path("<str:public_id>/products/<str:sku>/", public_views.product, name="product"),
    path(
        "<str:public_id>/products/<str:sku>/widget.html",
        widgets.product_widget,
        name="product_widget",
    ),
    path(
        "<str:public_id>/products/<str:sku>/widget.json",
        widgets.product_widget_json,
        name="product_widget_json",
    ),
]
