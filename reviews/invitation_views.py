"""The buyer's links in an invitation email: rate later, unsubscribe from one shop or every shop.

A link in an email may be opened by a mail scanner: GET only shows what the
button will do; the change is made by the POST of that button.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from core.errors import Conflict
from core.ratelimit import limit_posts
from reviews import invitations
from reviews.models import Invitation
from reviews.services import SUPPORTED_LANGUAGES


def _invitation(token: str) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("shop"), token=token)


def _in_language(invitation: Invitation, request: HttpRequest) -> None:
    """Shown in the email's language unless the visitor chose another one."""
    if "django_language" not in request.COOKIES and invitation.language in SUPPORTED_LANGUAGES:
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language


@require_http_methods(["GET", "POST"])
@limit_posts("forms")
def later(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    _in_language(invitation, request)
    context = {
        "invitation": invitation,
        "rate_url": reverse("review_buyer:invitation", args=[invitation.token]),
    }
    if invitation.erased_at is not None or not invitation.is_usable:
        return render(request, "reviews/invitations/later.html", {**context, "closed": True})
    if request.method == "POST":
        try:
            context["remind_at"] = invitations.rate_later(invitation=invitation)
        except Conflict as exc:
            context["error"] = exc.message
    return render(request, "reviews/invitations/later.html", context)


def _unsubscribe(request: HttpRequest, token: str, *, every_shop: bool) -> HttpResponse:
    invitation = _invitation(token)
    _in_language(invitation, request)
    done = request.method == "POST"
    if done:
        invitations.unsubscribe(invitation=invitation, every_shop=every_shop)
    return render(
        request,
        "reviews/invitations/unsubscribe.html",
        {"invitation": invitation, "every_shop": every_shop, "done": done},
    )


@require_http_methods(["GET", "POST"])
@limit_posts("forms")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _unsubscribe(request, token, every_shop=False)


@require_http_methods(["GET", "POST"])
@limit_posts("forms")
def unsubscribe_all(request: HttpRequest, token: str) -> HttpResponse:
    return _unsubscribe(request, token, every_shop=True)
