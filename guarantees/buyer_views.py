"""The buyer's pages: register on the verification page, confirm, see and cancel a guarantee."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certification.models import Shop
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import InvalidCursor, Keyset, invalid_cursor_response
from core.ratelimit import limit_posts
from guarantees.buyer import confirm_registration, pending_purchase, request_registration
from guarantees.forms import BuyerRegistrationForm
from guarantees.links import page_path
from guarantees.models import Guarantee, GuaranteeState
from guarantees.offers import offered_plans
from guarantees.selectors import GUARANTEE_LIST_ORDER, guarantee_for_link
from guarantees.services import Purchase, cancel_guarantee

# "My guarantees" in pages of 50 (it showed the newest 500 and no way to the older ones).
BUYER_PAGES = Keyset("buyer-guarantees", GUARANTEE_LIST_ORDER, per_page=50)


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, public_id: str) -> HttpResponse:
    """A buyer without a checkout link registers a recent purchase from a certified shop."""
    shop = get_object_or_404(Shop.objects.live().select_related("plan"), public_id=public_id)
    plans = offered_plans(shop, shop.currency)
    form = BuyerRegistrationForm(
        request.POST or None, plans=[(p["plan"], str(p["label"])) for p in plans]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            email = request_registration(
                shop=shop,
                purchase=Purchase(
                    order_reference=data["order_reference"],
                    amount=data["amount"],
                    currency=shop.currency,
                    buyer_email=data["buyer_email"],
                    buyer_name=data["buyer_name"],
                    purchase_date=data["purchase_date"],
                    plan=data["plan"],
                    language=request.LANGUAGE_CODE,
                ),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(
                request,
                "guarantees/buyer_check_email.html",
                {"shop": shop, "email": email, "confirm_hours": settings.GUARANTEE_CONFIRM_HOURS},
            )
    return render(
        request,
        "guarantees/buyer_register.html",
        {
            "shop": shop,
            "form": form,
            "plans": plans,
            "buyer_days": settings.GUARANTEE_BUYER_REGISTRATION_DAYS,
        },
        status=400 if form.errors else 200,
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The opt-in link: GET shows what will be registered, POST registers it.

    A GET never registers, so a mail scanner that opens links cannot confirm.
    """
    try:
        shop, purchase = pending_purchase(token)
    except DomainError as exc:
        return render(request, "guarantees/link_invalid.html", {"error": exc.message}, status=400)
    error = None
    if request.method == "POST":
        buyer = request.user if request.user.is_authenticated else None
        try:
            guarantee = confirm_registration(token=token, buyer=buyer)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(page_path(guarantee.number))
    return render(
        request,
        "guarantees/buyer_confirm.html",
        {"shop": shop, "purchase": purchase, "error": error},
        status=400 if error else 200,
    )


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    """The buyer's guarantee, reached from the emailed link, without an account."""
    guarantee = guarantee_for_link(token)
    error = None
    if request.method == "POST":
        if request.POST.get("confirm_cancel") != "yes":
            error = _("Tick the box to confirm that you give up the protection.")
        else:
            try:
                cancel_guarantee(
                    guarantee=guarantee,
                    actor=request.user if request.user.is_authenticated else None,
                    by_buyer_email=guarantee.buyer_email,
                )
            except DomainError as exc:
                error = exc.message
            else:
                return redirect(request.path)
    response = render(
        request,
        "guarantees/buyer_page.html",
        {
            "guarantee": guarantee,
            "error": error,
            "days_left": (guarantee.cover_until - timezone.localdate()).days,
            "can_cancel": guarantee.state == GuaranteeState.ACTIVE,
            "token": token,
        },
        status=400 if error else 200,
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Every guarantee registered to the signed-in buyer's account or address, newest first."""
    guarantees = Guarantee.objects.filter(
        Q(buyer=request.user) | Q(buyer_email=request.user.email.lower())
    ).select_related("shop")
    try:
        page = BUYER_PAGES.page(guarantees, request.GET.get("cursor"))
    except InvalidCursor:
        return invalid_cursor_response(request)
    rows = [{"guarantee": g, "url": page_path(g.number)} for g in page.object_list]
    return render(request, "guarantees/mine.html", {"rows": rows, "page": page})
