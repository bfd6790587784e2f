from django.urls import path

from guarantees import views

app_name = "guarantees"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
]
