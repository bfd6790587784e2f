"""Buyer pages: the checkout link's landing page and the registered guarantee."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from guarantees.checkout import read_link
from guarantees.cover import cover_amount
from guarantees.models import CoverCap, Plan
from guarantees.services import Purchase, register_guarantee


class CheckoutForm(forms.Form):
    plan = forms.ChoiceField(label=_("Protection"), choices=Plan.choices, widget=forms.RadioSelect)
    buyer_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=200)
    accept = forms.BooleanField(
        label=_("I accept the Trustmark buyer protection terms."),
        error_messages={"required": _("Please accept the terms to register the guarantee.")},
    )

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans
        self.fields["plan"].initial = Plan.BASIC


def _plans(link) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    offered = [Plan.BASIC]
    if "guarantee_plus" in (link.shop.plan.features or []):
        offered.append(Plan.PLUS)
    caps = dict(
        CoverCap.objects.filter(plan__in=offered, currency=link.currency).values_list("plan", "cap")
    )
    plans = []
    for plan in offered:
        if plan not in caps:
            continue
        try:
            covered = cover_amount(Decimal(link.amount), caps[plan])
        except ArithmeticError:
            covered = None  # the service refuses such an amount with a message
        plans.append(
            {"plan": plan, "label": Plan(plan).label, "cap": caps[plan], "covered": covered}
        )
    return plans


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """The buyer lands here from the shop's order confirmation, with the details locked."""
    query = request.GET.dict()
    try:
        link = read_link(query)
    except DomainError as exc:
        return render(
            request, "guarantees/checkout_invalid.html", {"error": exc.message}, status=400
        )
    plans = _plans(link)
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
            return render(request, "guarantees/registered.html", {"guarantee": guarantee})
    return render(
        request,
        "guarantees/checkout.html",
        {"link": link, "form": form, "plans": plans},
        status=400 if form.errors else 200,
    )
