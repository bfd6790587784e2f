from django.urls import path

from disputes import views

app_name = "disputes"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("recourse/", views.recourse, name="recourse"),
    path("recourse/<int:pk>/reimbursed/", views.recourse_reimbursed, name="recourse_reimbursed"),
    path("<str:number>/", views.case, name="case"),
    path("<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<str:number>/<slug:action>/", views.case_action, name="action"),
]
