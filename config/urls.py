"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path

from core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("portal.urls")),
]

admin.site.site_header = "Trustmark"
admin.site.site_title = "Trustmark administration"
admin.site.index_title = "Certifier administration"
