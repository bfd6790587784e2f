"""Team forms: the rights matrix (areas by whole member and each shop) and the invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.access import GrantPolicy, Right
from certification.models import Area, Shop


def _field_name(right: Right) -> str:
    return f"right__{right.area}__{right.shop_id or 'member'}"


class RightsMatrixMixin:
    """Adds one checkbox per area and scope; cells the actor may not grant are disabled."""

    fields: dict[str, forms.Field]

    def add_rights_fields(
        self, *, policy: GrantPolicy, shops: list[Shop], current: set[Right]
    ) -> None:
        self.scopes: list[tuple[str, int | None]] = [(str(_("Whole member")), None)]
        self.scopes += [(shop.display_domain, shop.pk) for shop in shops]
        self.matrix: list[tuple[str, list[str]]] = []
        self._cells: dict[str, Right] = {}
        for label, shop_id in self.scopes:
            row = []
            for area in Area:
                right = Right(area.value, shop_id)
                name = _field_name(right)
                self.fields[name] = forms.BooleanField(
                    required=False,
                    label=f"{area.label} — {label}",
                    initial=right in current,
                    disabled=not policy.may_grant(right),
                )
                self._cells[name] = right
                row.append(name)
            self.matrix.append((label, row))

    def chosen_rights(self) -> set[Right]:
        cleaned: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {right for name, right in self._cells.items() if cleaned.get(name)}

    def matrix_rows(self) -> list[tuple[str, list[Any]]]:
        return [(label, [self[name] for name in names]) for label, names in self.matrix]  # type: ignore[index]

    @property
    def areas(self) -> list[str]:
        return [str(area.label) for area in Area]


class InviteForm(RightsMatrixMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Name (optional)"), required=False, max_length=200)

    def __init__(self, *args: Any, policy: GrantPolicy, shops: list[Shop], **kw: Any):
        super().__init__(*args, **kw)
        self.add_rights_fields(policy=policy, shops=shops, current=set())


class RightsForm(RightsMatrixMixin, forms.Form):
    def __init__(
        self,
        *args: Any,
        policy: GrantPolicy,
        shops: list[Shop],
        current: set[Right],
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        self.add_rights_fields(policy=policy, shops=shops, current=current)


class AcceptInvitationForm(forms.Form):
    """For a person without an account yet: their name and a password."""

    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
