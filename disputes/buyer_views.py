"""The buyer's side of a case, reached through the guarantee's signed link (no account needed)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_domain_error
from core.ratelimit import limit_posts
from disputes.access import CaseActor, buyer_of, owns_guarantee
from disputes.case_page import render_case, run_action
from disputes.forms import ClaimForm
from disputes.models import Claim
from disputes.services import file_claim
from disputes.views import serve_attachment
from guarantees.models import Guarantee
from guarantees.selectors import guarantee_for_link


def _claim(request: HttpRequest, token: str, number: str) -> tuple[Claim, CaseActor]:
    guarantee = guarantee_for_link(token)
    claim = get_object_or_404(
        Claim.objects.select_related("guarantee", "shop", "mediator"),
        guarantee=guarantee,
        number=number,
    )
    return claim, _buyer(request, guarantee)


def _buyer(request: HttpRequest, guarantee: Guarantee) -> CaseActor:
    """The link proves the buyer; their account is recorded only if it is theirs."""
    user = request.user if owns_guarantee(request.user, guarantee) else None
    return buyer_of(guarantee, user)


def _base(token: str, number: str) -> str:
    return reverse("claims:case", args=[token, number])


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def new_claim(request: HttpRequest, token: str) -> HttpResponse:
    guarantee = guarantee_for_link(token)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        form.initial["amount"] = guarantee.cover_amount
    if request.method == "POST" and form.is_valid():
        try:
            claim = file_claim(
                actor=_buyer(request, guarantee),
                guarantee=guarantee,
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data["amount"],
                description=form.cleaned_data["description"],
                files=form.cleaned_data["files"],
                language=request.LANGUAGE_CODE,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(_base(token, claim.number))
    return render(
        request,
        "disputes/new_claim.html",
        {"guarantee": guarantee, "form": form, "answer_days": settings.CLAIM_SHOP_ANSWER_DAYS},
        status=400 if form.errors else 200,
    )


def case(request: HttpRequest, token: str, number: str) -> HttpResponse:
    claim, actor = _claim(request, token, number)
    return render_case(request, claim, actor, base=_base(token, number))


@limit_posts("forms")
@require_POST
def case_action(request: HttpRequest, token: str, number: str, action: str) -> HttpResponse:
    claim, actor = _claim(request, token, number)
    return run_action(request, claim, actor, action, base=_base(token, number))


def attachment(request: HttpRequest, token: str, number: str, pk: int) -> HttpResponse:
    claim, _actor = _claim(request, token, number)
    return serve_attachment(claim, pk, staff=False)
