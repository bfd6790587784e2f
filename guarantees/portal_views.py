"""The member portal's guarantee list: the shops' registered purchases, filtered, with totals."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.access import shops_with_right
from certification.models import Area
from core.exports import Column, export_response, requested_format
from core.pagination import InvalidCursor, Keyset, invalid_cursor_response
from guarantees.models import Channel, GuaranteeState, Plan
from guarantees.selectors import GUARANTEE_LIST_ORDER, guarantees_for, totals_by_currency

SHOP_CHOICES_LIMIT = 200
# Pages by key, not offset: page 400 of a shop with 20,000 guarantees costs what page 1 does.
GUARANTEE_PAGES = Keyset("member-guarantees", GUARANTEE_LIST_ORDER, per_page=50)

EXPORT_COLUMNS = [
    Column(gettext_lazy("Guarantee"), lambda g: g.number),
    Column(gettext_lazy("Registered"), lambda g: g.created_at),
    Column(gettext_lazy("Registered through"), lambda g: g.get_channel_display()),
    Column(gettext_lazy("Shop"), lambda g: g.shop.display_domain),
    Column(gettext_lazy("Order"), lambda g: g.order_reference),
    Column(gettext_lazy("Buyer"), lambda g: g.buyer_name),
    Column(gettext_lazy("Email"), lambda g: g.buyer_email),
    Column(gettext_lazy("Order amount"), lambda g: g.amount),
    Column(gettext_lazy("Amount covered"), lambda g: g.cover_amount),
    Column(gettext_lazy("Currency"), lambda g: g.currency),
    Column(gettext_lazy("Plan"), lambda g: g.get_plan_display()),
    Column(gettext_lazy("Covered until"), lambda g: g.cover_until),
    Column(gettext_lazy("Status"), lambda g: g.get_state_display()),
]


class GuaranteeFilter(forms.Form):
    shop = forms.TypedChoiceField(label=gettext_lazy("Shop"), required=False, coerce=int)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    plan = forms.ChoiceField(label=gettext_lazy("Plan"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Registered through"), required=False)
    registered_from = forms.DateField(
        label=gettext_lazy("Registered from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    registered_to = forms.DateField(
        label=gettext_lazy("Registered until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = forms.CharField(
        label=gettext_lazy("Number, order or email"), required=False, max_length=100
    )

    def __init__(self, *args: object, shops: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["shop"].choices = every + shops
        self.fields["state"].choices = every + list(GuaranteeState.choices)
        self.fields["plan"].choices = every + list(Plan.choices)
        self.fields["channel"].choices = every + list(Channel.choices)


@login_required
def guarantee_list(request: HttpRequest) -> HttpResponse:
    shops = list(
        shops_with_right(request.user, Area.CASES)
        .order_by("domain")
        .values_list("pk", "domain")[: SHOP_CHOICES_LIMIT + 1]
    )
    if not shops:
        raise PermissionDenied(_("You need the guarantee cases right on a shop."))
    form = GuaranteeFilter(request.GET or None, shops=shops[:SHOP_CHOICES_LIMIT])
    filters = form.cleaned_data if form.is_valid() else {}
    guarantees = guarantees_for(
        request.user,
        shop_id=filters.get("shop") or None,
        state=filters.get("state", ""),
        plan=filters.get("plan", ""),
        channel=filters.get("channel", ""),
        registered_from=filters.get("registered_from"),
        registered_to=filters.get("registered_to"),
        search=filters.get("q", ""),
    )
    rows = guarantees.select_related("shop").order_by(*GUARANTEE_LIST_ORDER)
    if fmt := requested_format(request):
        return export_response(fmt, filename="guarantees", columns=EXPORT_COLUMNS, rows=rows)
    try:
        page = GUARANTEE_PAGES.page(rows, request.GET.get("cursor"))
    except InvalidCursor:
        return invalid_cursor_response(request)
    return render(
        request,
        "guarantees/portal_list.html",
        {
            "form": form,
            "page": page,
            "totals": totals_by_currency(guarantees),
        },
    )
