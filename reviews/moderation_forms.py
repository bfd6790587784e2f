"""Forms of moderation: reporting a review, the moderator's steps, the author's and shop's words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import Decision

TEXT = forms.Textarea(attrs={"rows": 4})


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=())
    text = forms.CharField(
        label=_("What is wrong with this review?"),
        widget=TEXT,
        max_length=3000,
        help_text=_("Say which part and why; quote the sentence if you can."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_(
            "PDF, PNG, JPEG, WebP or text, at most 10 MB: an order list, a screenshot, a letter."
        ),
    )
    good_faith = forms.BooleanField(
        label=_("I declare in good faith that what I say is true and complete."),
        required=False,
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *reasons]


class PublicReportForm(ReportForm):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We tell you the outcome; the author and the shop do not see it."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not published (the author reads this)"), widget=TEXT, max_length=3000
    )


class AskAuthorForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the author"),
        widget=TEXT,
        max_length=3000,
        initial=_(
            "Your review was reported. Please tell us about your experience with the shop "
            "and, if you can, show that you bought there (an order confirmation or an invoice)."
        ),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (both sides read it)"), widget=TEXT, max_length=3000)
    removal_note = forms.CharField(
        label=_("Shown in place of a removed review"),
        required=False,
        max_length=3000,
        initial=_("Removed by Trustmark after a report: it did not describe a real purchase."),
    )
    redacted_comment = forms.CharField(
        label=_("The text as shown after a partial removal"),
        required=False,
        widget=TEXT,
        max_length=3000,
    )
    photos = forms.TypedMultipleChoiceField(
        label=_("Photos to remove (partial removal)"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, photo_choices: list[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].choices = list(photo_choices)
        if not photo_choices:
            del self.fields["photos"]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=TEXT, max_length=3000)


class ContestForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision is wrong"),
        widget=TEXT,
        max_length=3000,
        help_text=_(
            "You can contest once; another person at Trustmark decides, and that is final."
        ),
    )
