from django import forms
from django.utils.translation import gettext_lazy as _


class DataLinkForm(forms.Form):
    """The address a buyer without an account wants their data for."""

    email = forms.EmailField(label=_("Your email address"))


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my name, address and messages will be erased for good."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
