from django.urls import path

from guarantees import buyer_views, views

app_name = "guarantees"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("register/<str:public_id>/", buyer_views.register, name="register"),
    path("confirm/<str:token>/", buyer_views.confirm, name="confirm"),
    path("g/<str:token>/", buyer_views.page, name="page"),
    path("mine/", buyer_views.mine, name="mine"),
]
