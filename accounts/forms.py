"""Login with email, password reset sent through the outbox, language choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.services import queue_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email is an outbox row sent after commit."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        path = reverse("accounts:password_reset_confirm", args=[context["uid"], context["token"]])
        queue_email(
            to=to_email,
            recipient=user,
            template="password_reset",
            language=user.language,
            context={"url": f"{settings.SITE_URL}{path}", "name": user.get_short_name()},
        )


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "full_name"]


class UserCreateForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
