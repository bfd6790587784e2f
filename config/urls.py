"""Top-level URLs."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from certification import public_views
from config.api import api
from core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/marks/<str:number>", public_views.mark_json, name="api_mark"),
    path("api/", api.urls),
    path("verify/", public_views.verify_lookup, name="verify_lookup"),
    path("verify/<str:number>/", public_views.verify_mark, name="verify_mark"),
    path("badge/<str:public_id>.svg", public_views.badge_svg, name="badge_svg"),
    path("badge/<str:public_id>.json", public_views.badge_json, name="badge_json"),
    path(".well-known/trustmark-keys.json", public_views.well_known_keys, name="public_keys"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("portal/audits/", include("audits.urls")),
    path("portal/guarantees/", include("guarantees.portal_urls")),
    path("portal/cases/", include("disputes.urls")),
    path("portal/inbox/", include("notifications.urls")),
    path("portal/quality/staff/", include("quality.urls_staff")),
    path("portal/quality/", include("quality.urls")),
    path("portal/reviews/insights/", include("reviews.urls_insights")),
    path("portal/reviews/invitations/", include("reviews.urls_portal_invitations")),
    path("portal/reviews/", include("reviews.urls_portal")),
    path("portal/moderation/", include("reviews.urls_moderation")),
    path("reviews/", include("reviews.urls_checks")),
    path("reviews/", include("reviews.urls_public")),
    path("r/", include("reviews.urls_invitations")),
    path("r/", include("reviews.urls_buyer")),
    path("protection/g/<str:token>/claims/", include("disputes.buyer_urls")),
    path("protection/my-data/", include("privacy.urls")),
    path("protection/", include("guarantees.urls")),
    path("", include("portal.urls")),
]

if settings.BENCHMARK_VIEWS:

    def empty(request: HttpRequest) -> HttpResponse:
        """The baseline of bench/http.py: the cheapest response Django can give."""
        return HttpResponse(b"", content_type="text/plain")

    urlpatterns.insert(0, path("bench/empty", empty))

admin.site.site_header = "Trustmark"
admin.site.site_title = "Trustmark administration"
admin.site.index_title = "Certifier administration"
handler500 = "core.db_unavailable.server_error"
