from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/work/", views.workspace, name="workspace"),
    path("<int:pk>/work/<int:finding_id>/", views.finding_update, name="finding_update"),
    path("<int:pk>/action/<slug:action>/", views.staff_action, name="staff_action"),
    path("<int:pk>/", views.merchant_audit, name="merchant_audit"),
    path("<int:pk>/resubmit/", views.merchant_resubmit, name="resubmit"),
    path("<int:pk>/withdraw/", views.merchant_withdraw, name="withdraw"),
    path("<int:pk>/evidence/<int:finding_id>/", views.evidence, name="evidence"),
    path("apply/<str:public_id>/", views.apply, name="apply"),
]
