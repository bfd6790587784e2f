"""Member portal review forms: filters, reply, private message, settings, criteria, alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reviews.models import Label, ReviewMode, ReviewState, Subject
from reviews.models.profiles import StarBucket
from reviews.shop_services import MESSAGE_MAX_CHARS

EVERY = [("", _("All"))]


class ReviewFilter(forms.Form):
    shop = forms.TypedChoiceField(label=_("Shop"), required=False, coerce=int, empty_value=None)
    subject = forms.ChoiceField(label=_("About"), required=False)
    stars = forms.TypedChoiceField(label=_("Stars"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("Status"), required=False)
    replied = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[*EVERY, ("yes", _("Answered")), ("no", _("Not answered"))],
    )
    label = forms.ChoiceField(label=_("Label"), required=False)

    def __init__(self, *args: Any, shops: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = EVERY + shops
        self.fields["subject"].choices = EVERY + list(Subject.choices)
        self.fields["stars"].choices = EVERY + [(n, "★" * n) for n in range(5, 0, -1)]
        self.fields["state"].choices = EVERY + list(ReviewState.choices)
        self.fields["label"].choices = EVERY + list(Label.choices)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your public answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.REVIEW_COMMENT_MAX_CHARS,
        help_text=_("Shown under the review on your profile. You can edit it later."),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_CHARS,
        help_text=_(
            "Trustmark emails it to the author; you do not see their address, and they "
            "decide whether to answer you. Not shown on your profile."
        ),
    )


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Collect reviews"), required=False)
    allow_open_link = forms.BooleanField(
        label=_("Also accept reviews without an order (labelled “not verified”)"), required=False
    )
    invite_after_guarantee = forms.BooleanField(
        label=_("Invite every buyer who registers a guarantee"), required=False
    )
    invite_delay_days = forms.IntegerField(
        label=_("Days after the order (or the expected delivery) to invite"),
        min_value=0,
        max_value=90,
    )
    reminder_days = forms.IntegerField(
        label=_("Days after the invitation to remind once"),
        min_value=1,
        max_value=30,
        required=False,
        help_text=_("Empty: no reminder."),
    )
    logo_url = forms.URLField(
        label=_("Logo shown in invitation emails"),
        required=False,
        assume_scheme="https",
        help_text=_("An https:// address of an image."),
    )


class ModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Criteria"), choices=ReviewMode.choices)
    confirm = forms.BooleanField(
        label=_(
            "I understand: the reviews collected so far and the profile's figures are reset "
            "(archived, not deleted)."
        ),
        required=True,
    )


class AlertsForm(forms.Form):
    """One field per shop: which star groups of a new review alert the person."""

    def __init__(self, *args: Any, shops: list[Any], chosen: dict[int, list[str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for shop in shops:
            self.fields[f"shop_{shop.pk}"] = forms.MultipleChoiceField(
                label=shop.display_domain,
                choices=StarBucket.choices,
                required=False,
                initial=chosen.get(shop.pk, []),
                widget=forms.CheckboxSelectMultiple,
            )
        self.shops = shops

    def rows(self) -> list[tuple[Any, Any]]:
        return [(shop, self[f"shop_{shop.pk}"]) for shop in self.shops]
