from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.definitions import Key


class QueueFilter(forms.Form):
    market = forms.ChoiceField(label=_("Target market"), required=False)
    key = forms.ChoiceField(
        label=_("Indicator"), required=False, choices=[("", _("All indicators")), *Key.choices]
    )

    def __init__(self, *args, markets: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *markets]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("suspend", _("Suspend the trust mark")),
            ("dismiss", _("Dismiss the case")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
