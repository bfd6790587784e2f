"""The staff second-factor pages: set up an authenticator, then a code at each sign-in."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import second_factor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret as a QR code and text; a first correct code confirms it."""
    if second_factor.confirmed_totp(request.user):
        return redirect("accounts:second_factor_verify")
    device = second_factor.pending_totp(request.user)
    error = ""
    if request.method == "POST":
        codes = second_factor.confirm_totp(
            request=request, device=device, token=request.POST.get("token", "")
        )
        if codes is not None:
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/second_factor_codes.html", context)
        error = _("That code is not valid. Try the current one.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    context = {
        "qr_svg": qr_svg,
        "secret": second_factor.totp_secret(device),
        "error": error,
        "next": _next_url(request),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the authenticator or a recovery code after the password."""
    if not second_factor.confirmed_totp(request.user):
        return redirect("accounts:second_factor_setup")
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "")
        if second_factor.verify_second_factor(request=request, token=token):
            return redirect(_next_url(request))
        error = _("That code is not valid. Try the current one.")
    context = {"error": error, "next": _next_url(request)}
    return render(request, "accounts/second_factor_verify.html", context)
