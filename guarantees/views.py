"""The checkout link's landing page: the shop sent the purchase, the buyer picks the plan."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.ratelimit import limit_posts
from guarantees.checkout import read_link
from guarantees.forms import CheckoutForm
from guarantees.links import page_path
from guarantees.offers import offered_plans
from guarantees.services import Purchase, register_guarantee


@limit_posts("forms")
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """The buyer lands here from the shop's order confirmation, with the details locked."""
    query = request.GET.dict()
    try:
        link = read_link(query)
    except DomainError as exc:
        return render(request, "guarantees/link_invalid.html", {"error": exc.message}, status=400)
    plans = offered_plans(link.shop, link.currency, link.amount)
    form = CheckoutForm(request.POST or None, plans=[(p["plan"], str(p["label"])) for p in plans])
    if request.method == "POST" and form.is_valid():
        try:
            guarantee = register_guarantee(
                shop=link.shop,
                purchase=Purchase(
                    order_reference=link.order,
                    amount=link.amount,
                    currency=link.currency,
                    buyer_email=link.email,
                    buyer_name=form.cleaned_data["buyer_name"],
                    purchase_date=link.purchase_date,
                    plan=form.cleaned_data["plan"],
                ),
                channel="checkout",
                buyer=request.user if request.user.is_authenticated else None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your purchase is protected. A confirmation is on its way to %(email)s.")
                % {"email": guarantee.buyer_email},
            )
            return redirect(page_path(guarantee.number))
    return render(
        request,
        "guarantees/checkout.html",
        {"link": link, "form": form, "plans": plans},
        status=400 if form.errors else 200,
    )
