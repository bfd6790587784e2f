"""Trust marks in the portal: the administrators' list and actions, document downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, user_has_role
from certification import selectors as cert_selectors
from certification.access import is_staff_viewer, shops_with_right
from certification.marks import reinstate_mark, revoke_mark, suspend_mark
from certification.models import Area, MarkState, SuspensionReason, TrustMark, VerificationDocument
from core.errors import DomainError


class SuspendForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=SuspensionReason.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReinstateForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it valid again?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"), widget=forms.Textarea(attrs={"rows": 2})
    )


def _staff_mark(request: HttpRequest, number: str) -> TrustMark:
    if not is_staff_viewer(request.user):
        raise Http404("No such mark.")
    mark = TrustMark.objects.select_related("shop__member").filter(number=number).first()
    if mark is None:
        raise Http404("No such mark.")
    return mark


@login_required
def mark_list(request: HttpRequest) -> HttpResponse:
    if not is_staff_viewer(request.user):
        raise Http404("Not found.")
    state = request.GET.get("state", "")
    state = state if state in MarkState.values else ""
    expiring = request.GET.get("expiring") == "1"
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and 0 < int(days) <= 365 else 60
    misuse = request.GET.get("misuse") == "1"
    query = request.GET.get("q", "").strip()[:100]
    marks = cert_selectors.marks_for_staff(
        state=state, expiring_days=days if expiring else None, misuse=misuse, query=query
    )
    page = Paginator(marks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/mark_list.html",
        {
            "page": page,
            "state": state,
            "expiring": expiring,
            "days": days,
            "misuse": misuse,
            "query": query,
            "states": MarkState.choices,
        },
    )


@login_required
def mark_detail(request: HttpRequest, number: str) -> HttpResponse:
    mark = _staff_mark(request, number)
    return render(
        request,
        "portal/mark_detail.html",
        {
            "mark": mark,
            "history": cert_selectors.mark_history(mark),
            "misuse": cert_selectors.misuse_of(mark.shop),
            "may_act": user_has_role(request.user, Role.ADMINISTRATOR),
            "suspend_form": SuspendForm(),
            "reinstate_form": ReinstateForm(),
            "revoke_form": RevokeForm(),
        },
    )


ACTIONS = {
    "suspend": (
        SuspendForm,
        lambda mark, actor, data: suspend_mark(mark=mark, actor=actor, **data),
    ),
    "reinstate": (
        ReinstateForm,
        lambda mark, actor, data: reinstate_mark(mark=mark, actor=actor, **data),
    ),
    "revoke": (RevokeForm, lambda mark, actor, data: revoke_mark(mark=mark, actor=actor, **data)),
}
DONE = {
    "suspend": _("The mark is suspended."),
    "reinstate": _("The mark is valid again."),
    "revoke": _("The mark is revoked."),
}


@login_required
@require_POST
def mark_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    mark = _staff_mark(request, number)
    if action not in ACTIONS:
        raise Http404("No such action.")
    form_class, run = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal:mark_detail", number=mark.number)
    try:
        run(mark, request.user, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, DONE[action])
    return redirect("portal:mark_detail", number=mark.number)


@login_required
def document_download(request: HttpRequest, public_id: str, version: int) -> FileResponse:
    """A verification document, for staff and people with the documents right on the shop."""
    shop = shops_with_right(request.user, Area.DOCUMENTS).filter(public_id=public_id).first()
    if shop is None:
        raise Http404("No such document.")
    document = VerificationDocument.objects.filter(shop=shop, version=version).first()
    if document is None:
        raise Http404("No such document.")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"trustmark-{shop.domain}-v{document.version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
