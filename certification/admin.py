"""Admin for the certifier's administrators; changes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certification import services
from certification.domains import normalise_domain
from certification.models import (
    BadgeMisuse,
    Invitation,
    Member,
    MembershipPlan,
    MemberUserObjectPermission,
    Shop,
    ShopUserObjectPermission,
    TeamMembership,
    TrustMark,
    VerificationDocument,
)
from core.errors import DomainError


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    prepopulated_fields = {"code": ["name"]}


class MemberForm(forms.ModelForm):
    owner_email = forms.EmailField(
        label=_("Owner's email"),
        required=False,
        help_text=_("For a new member: the owner receives an invitation to set a password."),
    )
    owner_name = forms.CharField(label=_("Owner's name"), required=False)

    class Meta:
        model = Member
        fields = [
            "legal_name",
            "registration_number",
            "vat_id",
            "street",
            "postal_code",
            "city",
            "country",
            "contact_email",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and not data.get("owner_email"):
            self.add_error("owner_email", _("A new member needs an owner."))
        return data


class ShopInline(admin.TabularInline):
    model = Shop
    fields = ["name", "domain", "language", "target_market", "plan", "closed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TeamInline(admin.TabularInline):
    model = TeamMembership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    form = MemberForm
    list_display = ["legal_name", "country", "contact_email", "created_at"]
    list_filter = ["country"]
    search_fields = ["legal_name", "registration_number", "vat_id", "contact_email"]
    inlines = [ShopInline, TeamInline]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f.name for f in Member._meta.fields if f.editable and f.name != "id"]
        return [*fields, "owner_email", "owner_name"] if obj is None else fields

    def save_model(self, request: HttpRequest, obj: Member, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in services.MEMBER_FIELDS}
        try:
            if change:
                services.update_member(actor=request.user, member=obj, **data)
            else:
                created = services.create_member(
                    actor=request.user,
                    owner_email=form.cleaned_data["owner_email"],
                    owner_name=form.cleaned_data["owner_name"],
                    **data,
                )
                obj.pk = created.pk
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            raise


class ShopForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [
            "member",
            "name",
            "domain",
            "language",
            "target_market",
            "currency",
            "sells",
            "plan",
        ]

    def clean_domain(self) -> str:
        try:
            return normalise_domain(self.cleaned_data.get("domain", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    form = ShopForm
    list_display = ["domain", "name", "member", "language", "target_market", "plan", "closed_at"]
    list_filter = ["plan", "language", "target_market"]
    search_fields = ["domain", "name", "member__legal_name", "public_id"]
    list_select_related = ["member", "plan"]
    readonly_fields = ["public_id", "closed_at", "created_at", "updated_at"]
    actions = ["close_selected"]

    def save_model(self, request: HttpRequest, obj: Shop, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in services.SHOP_FIELDS}
        if change:
            services.update_shop(actor=request.user, shop=obj, **data)
        else:
            created = services.create_shop(
                actor=request.user, member=form.cleaned_data["member"], **data
            )
            obj.pk = created.pk
            obj.public_id = created.public_id

    @admin.action(description=_("Close the selected shops"))
    def close_selected(self, request: HttpRequest, queryset: Any) -> None:
        for shop in queryset.filter(closed_at__isnull=True):
            services.close_shop(actor=request.user, shop=shop, reason="closed from the admin")
        self.message_user(request, _("Shops closed."))


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "member", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "member__legal_name"]
    list_select_related = ["user", "member"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "member",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email", "member__legal_name"]
    list_select_related = ["member"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyRightAdmin(admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    list_select_related = ["user", "permission", "content_object"]
    search_fields = ["user__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(MemberUserObjectPermission, ReadOnlyRightAdmin)
admin.site.register(ShopUserObjectPermission, ReadOnlyRightAdmin)


@admin.register(TrustMark)
class TrustMarkAdmin(admin.ModelAdmin):
    """Read-only here: administrators act on marks from the portal's mark page."""

    list_display = ["number", "shop", "state", "valid_from", "valid_until", "updated_at"]
    list_filter = ["state", "suspension_reason"]
    search_fields = ["number", "shop__domain", "shop__member__legal_name"]
    list_select_related = ["shop"]
    readonly_fields = [f.name for f in TrustMark._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BadgeMisuse)
class BadgeMisuseAdmin(admin.ModelAdmin):
    list_display = ["host", "shop", "count", "first_seen", "last_seen"]
    search_fields = ["host", "shop__domain"]
    list_select_related = ["shop"]
    readonly_fields = ["shop", "host", "count", "first_seen", "last_seen"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(VerificationDocument)
class VerificationDocumentAdmin(admin.ModelAdmin):
    list_display = ["shop", "version", "kind", "language", "created_at", "sha256"]
    list_filter = ["kind", "language"]
    search_fields = ["shop__domain", "sha256"]
    list_select_related = ["shop"]
    readonly_fields = [f.name for f in VerificationDocument._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
