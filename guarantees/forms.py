"""The buyer's forms: the checkout page (details locked) and the verification page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guarantees.models import Plan


class CheckoutForm(forms.Form):
    """What the buyer chooses when the shop already sent the purchase: plan, name, terms."""

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


class BuyerRegistrationForm(CheckoutForm):
    """A buyer without a checkout link enters the purchase themselves."""

    order_reference = forms.CharField(label=_("Order number"), max_length=100)
    amount = forms.CharField(
        label=_("Amount paid"),
        max_length=20,
        help_text=_("As on your order confirmation, e.g. 49.90."),
    )
    purchase_date = forms.DateField(
        label=_("Purchase date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    buyer_email = forms.EmailField(
        label=_("Your email"),
        help_text=_("We send a link there: the guarantee starts when you confirm it."),
    )
    field_order = ["order_reference", "amount", "purchase_date", "buyer_email", "buyer_name"]
