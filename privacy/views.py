"""The buyer's "My data" pages: signed in (their account) or by an emailed, signed link."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import add_domain_error
from core.ratelimit import limit_posts
from notifications.services import queue_email
from privacy import data
from privacy.erasure import erase, open_claim_numbers
from privacy.export import export_for
from privacy.forms import DataLinkForm, EraseForm
from privacy.links import data_url, email_from_token


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _download(email: str, user: Any | None) -> HttpResponse:
    body = json.dumps(export_for(email, user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="trustmark-my-data-{stamp}.json"'
    return _private(response)


def _page(request: HttpRequest, email: str, user: Any | None, *, download_url: str) -> HttpResponse:
    """The data page and its erasure form; POST erases."""
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = erase(email=email, actor=user, user=user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if user is not None:
                logout(request)
            return _private(render(request, "privacy/erased.html", {"erasure": done}))
    context = {
        "email": email,
        "form": form,
        "download_url": download_url,
        "open_claims": open_claim_numbers(email, user),
        "guarantees": data.guarantees_of(email, user).count(),
        "claims": data.claims_of(email, user).count(),
    }
    status = 400 if form.errors else 200
    return _private(render(request, "privacy/my_data.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """A signed-in buyer's data: download it, or ask for it to be erased."""
    return _page(request, request.user.email, request.user, download_url="download/")


@login_required
@require_GET
def account_download(request: HttpRequest) -> HttpResponse:
    return _download(request.user.email, request.user)


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def ask_link(request: HttpRequest) -> HttpResponse:
    """A buyer without an account gets a signed link by email (the same answer for any address).

    The page never says whether we hold data for an address, so it cannot be used to
    find out who bought where.
    """
    form = DataLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = data.normalise(form.cleaned_data["email"])
        queue_email(
            to=email,
            template="privacy_link",
            context={"data_url": data_url(email)},
            language=request.LANGUAGE_CODE,
        )
        return render(request, "privacy/link_sent.html", {"email": email})
    return render(
        request, "privacy/ask_link.html", {"form": form}, status=400 if form.errors else 200
    )


def _email_or_refusal(request: HttpRequest, token: str) -> str | HttpResponse:
    try:
        return email_from_token(token)
    except DomainError as exc:
        return render(request, "privacy/link_invalid.html", {"error": exc.message}, status=400)


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The data page reached from the emailed link."""
    email = _email_or_refusal(request, token)
    if isinstance(email, HttpResponse):
        return _private(email)
    return _page(request, email, None, download_url="download/")


@require_GET
def link_download(request: HttpRequest, token: str) -> HttpResponse:
    email = _email_or_refusal(request, token)
    if isinstance(email, HttpResponse):
        return _private(email)
    return _download(email, None)
