"""The forms of a case page; the services do the real checking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import ACCEPT
from disputes.models import ClaimReason, Party, ShopAnswer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to a few evidence files (checked by content in the service, core.uploads)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence (PDF, PNG, JPEG, WebP or text, up to 10 MB each)"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ClaimForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What went wrong?"), choices=ClaimReason.choices, widget=forms.RadioSelect
    )
    amount = forms.CharField(label=_("Amount claimed"), max_length=20)
    description = forms.CharField(
        label=_("What happened, and what do you expect?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    files = EvidenceField()


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    files = EvidenceField()
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=ShopAnswer.choices, widget=forms.RadioSelect
    )
    carrier = forms.CharField(label=_("Carrier"), max_length=100, required=False)
    tracking = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    text = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    files = EvidenceField(label=_("Proof (PDF, PNG, JPEG, WebP or text)"))


class TextForm(forms.Form):
    """One text: the reason to reject, the note of a settlement, a withdrawal's why."""

    text = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )


class InformationForm(forms.Form):
    party = forms.ChoiceField(
        label=_("Ask"),
        choices=[(Party.BUYER.value, Party.BUYER.label), (Party.SHOP.value, Party.SHOP.label)],
    )
    question = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=60, initial=7)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("buyer", _("For the buyer")), ("shop", _("For the shop"))],
        widget=forms.RadioSelect,
    )
    amount = forms.CharField(
        label=_("Amount to pay (for the buyer; empty: the amount claimed)"),
        max_length=20,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AssignForm(forms.Form):
    mediator = forms.TypedChoiceField(label=_("Mediator"), coerce=int)

    def __init__(self, *args: Any, mediators: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediator"].choices = mediators


class ConfirmForm(forms.Form):
    """An action that needs nothing but the click (take the case, accept, approve)."""


class PayForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class CancelPayoutForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), max_length=2000)


class ProposeForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20)
