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


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The address typed into the sign-in form, as the lockout counts it.

    The form's field is `username` while the user model's is `email`, which is where axes
    looks by default: it then counted every failure under no name, so the right password
    still signed in from a locked address. Case and spaces do not make a new counter.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    return typed.strip().lower() if isinstance(typed, str) and typed.strip() else None
