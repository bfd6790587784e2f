"""Member portal: a shop's review invitations, and the upload of an order list with its preview.

People with the reviews right on a shop see its invitations and upload lists for
it. Nothing is stored or sent until the person confirms the preview.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certification.models import Shop
from core.errors import DomainError
from core.forms import add_domain_error
from reviews import invitations, uploads
from reviews.access import review_shops
from reviews.models import Invitation, InvitationSource, InvitationState

SHOP_CHOICES_LIMIT = 200


def _shop_choices(request: HttpRequest) -> list[tuple[int, str]]:
    shops = list(
        review_shops(request.user)
        .filter(closed_at=None)
        .order_by("domain")
        .values_list("pk", "domain")[:SHOP_CHOICES_LIMIT]
    )
    if not shops:
        raise PermissionDenied(_("You need the reviews right on a shop."))
    return shops


def invitations_for(user: object) -> QuerySet[Invitation]:
    """The invitations of the shops this person works reviews for (access decides)."""
    return Invitation.objects.filter(shop__in=review_shops(user))


class InvitationFilter(forms.Form):
    shop = forms.TypedChoiceField(label=gettext_lazy("Shop"), required=False, coerce=int)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    q = forms.CharField(label=gettext_lazy("Order or email"), required=False, max_length=100)

    def __init__(self, *args: object, shops: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["shop"].choices = every + shops
        self.fields["state"].choices = every + list(InvitationState.choices)
        self.fields["source"].choices = every + list(InvitationSource.choices)


class UploadForm(forms.Form):
    shop = forms.TypedChoiceField(label=gettext_lazy("Shop"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("Order list (CSV in UTF-8, or XLSX)"),
    )

    def __init__(self, *args: object, shops: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = shops


class ConfirmForm(forms.Form):
    shop = forms.IntegerField(widget=forms.HiddenInput)
    rows = forms.CharField(widget=forms.HiddenInput)


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    shops = _shop_choices(request)
    form = InvitationFilter(request.GET or None, shops=shops)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = invitations_for(request.user)
    if filters.get("shop"):
        rows = rows.filter(shop_id=filters["shop"])
    if filters.get("state"):
        rows = rows.filter(state=filters["state"])
    if filters.get("source"):
        rows = rows.filter(source=filters["source"])
    if search := filters.get("q", "").strip():
        rows = rows.filter(order_reference__icontains=search) | rows.filter(email__iexact=search)
    rows = rows.select_related("shop").annotate(items=Count("lines")).order_by("-created_at", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/invitations/list.html",
        {"form": form, "page": page, "current": "invitations"},
    )


def _shop_of(request: HttpRequest, shop_id: int | None) -> Shop:
    shop = review_shops(request.user).filter(pk=shop_id, closed_at=None).first()
    if shop is None:
        raise Http404("No such shop.")
    return shop


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the preview of the file, nothing stored."""
    shops = _shop_choices(request)
    form = UploadForm(request.POST or None, request.FILES or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        shop = _shop_of(request, form.cleaned_data["shop"])
        try:
            invitations.shop_settings_for_inviting(shop)
            rows = uploads.read_rows(form.cleaned_data["file"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            checked = uploads.preview(shop, rows)
            confirm = ConfirmForm(
                initial={"shop": shop.pk, "rows": uploads.sign_rows(shop, request.user, rows)}
            )
            return render(
                request,
                "reviews/invitations/preview.html",
                {
                    "shop": shop,
                    "preview": checked,
                    "confirm": confirm,
                    "current": "invitations",
                },
            )
    return render(
        request, "reviews/invitations/upload.html", {"form": form, "current": "invitations"}
    )


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Upload the file again."))
        return redirect("review_invites_portal:upload")
    shop = _shop_of(request, form.cleaned_data["shop"])
    try:
        rows = uploads.unsign_rows(form.cleaned_data["rows"], shop=shop, user=request.user)
        invitations.shop_settings_for_inviting(shop)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("review_invites_portal:upload")
    outcome = uploads.invite_rows(shop=shop, rows=rows, actor=request.user)
    messages.success(
        request,
        _(
            "%(invited)s orders invited; %(cancelled)s recorded but not sent (the buyer "
            "unsubscribed); %(skipped)s skipped because of errors or already invited."
        )
        % {
            "invited": outcome.invited,
            "cancelled": outcome.cancelled,
            "skipped": outcome.skipped,
        },
    )
    return redirect(f"{reverse('review_invites_portal:list')}?shop={shop.pk}")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitations_for(request.user).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        invitations.cancel(invitation=invitation, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The invitation of order %(reference)s is cancelled.")
            % {"reference": invitation.order_reference},
        )
    return redirect("review_invites_portal:list")
