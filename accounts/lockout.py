"""The page django-axes answers with while an account+IP pair is locked out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response: Any, credentials: Any
) -> HttpResponse:
    """A 429 with Retry-After (the cool-off), so clients and people know when to retry."""
    retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = _("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {
        "minutes": retry_after // 60
    }
    response = render(request, "too_many_requests.html", {"error": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The address the rate limits count; None for a request without one (force_login)."""
    from core.ratelimit import client_ip as counted_ip

    address = counted_ip(request)
    return None if address == "unknown" else address
