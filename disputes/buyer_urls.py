from django.urls import path

from disputes import buyer_views

app_name = "claims"

urlpatterns = [
    path("new/", buyer_views.new_claim, name="new"),
    path("<str:number>/", buyer_views.case, name="case"),
    path("<str:number>/attachments/<int:pk>/", buyer_views.attachment, name="attachment"),
    path("<str:number>/<slug:action>/", buyer_views.case_action, name="action"),
]
