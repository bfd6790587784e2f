"""A signed-in person's chosen language wins over the browser's; staff need a second factor."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until verified with a second factor, a staff session reaches only setup, verify and
    sign-out; public pages, static files and shop-key API calls are not staff sessions."""

    EXEMPT_NAMES = (
        "accounts:second_factor_setup",
        "accounts:second_factor_verify",
        "accounts:logout",
    )

    # Pages anyone may read without signing in; a session changes nothing there.
    PUBLIC_PREFIXES = ("/healthz", "/api/", "/badge/", "/verify/", "/.well-known/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from accounts.second_factor import confirmed_totp, needs_second_factor

        user = getattr(request, "user", None)
        if user is None or not needs_second_factor(user) or user.is_verified():
            return self.get_response(request)
        exempt = {reverse(name) for name in self.EXEMPT_NAMES}
        public = (settings.STATIC_URL, *self.PUBLIC_PREFIXES)
        if request.path in exempt or request.path.startswith(public):
            return self.get_response(request)
        target = (
            "accounts:second_factor_verify"
            if confirmed_totp(user)
            else "accounts:second_factor_setup"
        )
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(target)}?{query}")
