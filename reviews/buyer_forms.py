"""The buyer's review forms: stars per criterion as radio buttons, the comment, the date."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models import ReviewMode

STAR_CHOICES = [(n, str(n)) for n in range(1, 6)]
CRITERION_LABELS = {
    "service": _("Service"),
    "delivery": _("Delivery"),
    "product": _("Product"),
}
CRITERION_HELP = {
    "service": _("How the shop dealt with you: answers, payment, returns."),
    "delivery": _("Speed, packaging, the state the goods arrived in."),
    "product": _("Whether the goods were as described."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ShopReviewForm(forms.Form):
    """The criteria of the shop's mode; the service decides what is allowed, the form shows it."""

    comment = forms.CharField(
        label=_("Your experience"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=settings.REVIEW_COMMENT_MAX_CHARS,
        help_text=_(
            "Optional. Please do not write personal data such as addresses or phone numbers."
        ),
    )
    experienced_on = forms.DateField(
        label=_("Date of the experience"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
    name = forms.CharField(
        label=_("Your name as shown"),
        max_length=100,
        required=False,
        help_text=_("We show your first name and the initial of your last name."),
    )

    def __init__(self, *args: Any, mode: str, ask_email: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = (
            ("service", "delivery", "product")
            if mode == ReviewMode.THREE_CRITERIA
            else ("service",)
        )
        self.criteria = criteria
        for name in reversed(criteria):
            field = forms.TypedChoiceField(
                label=CRITERION_LABELS[name],
                help_text=CRITERION_HELP[name],
                choices=STAR_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "stars-input"}),
                required=name == "service" and len(criteria) == 1,
            )
            self.fields = {name: field, **self.fields}
        if ask_email:
            self.fields["email"] = forms.EmailField(label=_("Your email"), max_length=254)
        self.fields["experienced_on"].initial = timezone.localdate()

    def star_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.criteria]

    def ratings(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in self.criteria}


class ProductReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "stars-input"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=settings.REVIEW_TITLE_MAX_CHARS, required=False
    )
    text = forms.CharField(
        label=_("Your review of this item"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.REVIEW_COMMENT_MAX_CHARS,
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_(
            "Up to five JPEG or PNG pictures. We remove their metadata (such as the location)."
        ),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("I want to withdraw my review."))
