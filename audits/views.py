"""Audit pages: the auditor's queue and workspace, the merchant's audit page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role, user_has_role
from audits import selectors, services
from audits.access import get_audit_for, is_audit_staff, may_act_for_shop
from audits.models import AuditState, Finding, FindingResult
from certification.access import get_shop_for
from core.errors import DomainError
from core.exports import Column, export_response, requested_format
from core.uploads import ACCEPT, CONTENT_TYPES, download


class FindingForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[
            (FindingResult.MET, gettext_lazy("Met")),
            (FindingResult.NOT_MET, gettext_lazy("Not met")),
            (FindingResult.NOT_APPLICABLE, gettext_lazy("Not applicable")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Auditor's note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    advice = forms.CharField(
        label=gettext_lazy("Advice to the merchant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    not_applicable_reason = forms.CharField(
        label=gettext_lazy("Why not applicable"), required=False
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link"), required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Evidence file (PDF, PNG, JPEG, WebP or text)"), required=False
    )


QUEUE_COLUMNS = [
    Column("#", lambda a: a.pk),
    Column(gettext_lazy("Shop"), lambda a: a.shop.display_domain),
    Column(gettext_lazy("Member"), lambda a: a.shop.member.legal_name),
    Column(gettext_lazy("Kind"), lambda a: a.get_kind_display()),
    Column(gettext_lazy("Status"), lambda a: a.get_state_display()),
    Column(gettext_lazy("Auditor"), lambda a: a.auditor.get_short_name() if a.auditor else ""),
    Column(gettext_lazy("Due"), lambda a: a.fix_due_at),
    Column(gettext_lazy("Not met"), lambda a: a.unmet),
    Column(gettext_lazy("Unchecked"), lambda a: a.unchecked),
]


def _staff_audit(request: HttpRequest, pk: int) -> Any:
    if not is_audit_staff(request.user):
        raise Http404("No such audit.")
    return get_audit_for(request.user, pk)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_audit_staff(request.user):
        raise Http404("Not found.")
    state = request.GET.get("state", "")
    state = state if state in AuditState.values else ""
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    due_today = request.GET.get("due") == "today"
    audits = selectors.audit_queue(
        user=request.user, state=state, mine=mine, overdue=overdue, due_today=due_today
    )
    if fmt := requested_format(request):
        return export_response(fmt, filename="audits", columns=QUEUE_COLUMNS, rows=audits)
    page = Paginator(audits, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/queue.html",
        {
            "page": page,
            "state": state,
            "mine": mine,
            "overdue": overdue,
            "due_today": due_today,
            "states": AuditState.choices,
        },
    )


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    return render(
        request,
        "audits/workspace.html",
        {
            "audit": audit,
            "groups": selectors.findings_by_category(audit),
            "history": selectors.audit_history(audit),
            "documents": selectors.audit_documents(audit),
            "auditors": User.objects.filter(groups__name=Role.AUDITOR, is_active=True).order_by(
                "email"
            ),
            "is_admin": user_has_role(request.user, Role.ADMINISTRATOR),
            "blocking": services.blocking_failures(audit),
            "evidence_accept": ACCEPT,
        },
    )


@login_required
@require_POST
def finding_update(request: HttpRequest, pk: int, finding_id: int) -> HttpResponse:
    audit = _staff_audit(request, pk)
    finding = Finding.objects.filter(audit=audit, pk=finding_id).first()
    if finding is None:
        raise Http404("No such finding.")
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{finding.criterion.code} {field}: {' '.join(errors)}")
        return redirect(reverse_workspace(audit.pk, finding.pk))
    try:
        services.record_finding(
            finding=finding,
            actor=request.user,
            result=form.cleaned_data["result"],
            note=form.cleaned_data["note"],
            advice=form.cleaned_data["advice"],
            not_applicable_reason=form.cleaned_data["not_applicable_reason"],
            evidence_url=form.cleaned_data["evidence_url"],
            evidence_file=form.cleaned_data["evidence_file"],
        )
    except DomainError as exc:
        messages.error(request, f"{finding.criterion.code}: {exc.message}")
    return redirect(reverse_workspace(audit.pk, finding.pk))


def reverse_workspace(audit_id: int, finding_id: int | None = None) -> str:
    url = reverse("audits:workspace", args=[audit_id])
    return f"{url}#f-{finding_id}" if finding_id else url


STAFF_ACTIONS = {
    "take": lambda audit, request: services.assign_audit(
        audit=audit, actor=request.user, auditor=request.user
    ),
    "assign": lambda audit, request: services.assign_audit(
        audit=audit,
        actor=request.user,
        auditor=User.objects.filter(pk=request.POST.get("auditor") or 0).first() or request.user,
    ),
    "start": lambda audit, request: services.start_review(audit=audit, actor=request.user),
    "send": lambda audit, request: services.send_findings(audit=audit, actor=request.user),
    "resume": lambda audit, request: services.resume_review(audit=audit, actor=request.user),
    "approve": lambda audit, request: services.approve(
        audit=audit, actor=request.user, note=request.POST.get("note", "")
    ),
    "refuse": lambda audit, request: services.refuse(
        audit=audit, actor=request.user, reason=request.POST.get("reason", "")
    ),
}


@login_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    audit = _staff_audit(request, pk)
    if action not in STAFF_ACTIONS:
        raise Http404("No such action.")
    try:
        STAFF_ACTIONS[action](audit, request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("audits:workspace", pk=audit.pk)


@login_required
def merchant_audit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit_for(request.user, pk)
    return render(
        request,
        "audits/merchant_audit.html",
        {
            "audit": audit,
            "groups": selectors.findings_by_category(audit),
            "unmet": audit.findings.filter(result=FindingResult.NOT_MET).select_related(
                "criterion"
            ),
            "history": selectors.audit_history(audit),
            "documents": selectors.audit_documents(audit),
            "may_act": may_act_for_shop(request.user, audit.shop),
        },
    )


@login_required
@require_POST
def merchant_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit_for(request.user, pk)
    answers = {
        int(key.removeprefix("answer-")): value
        for key, value in request.POST.items()
        if key.startswith("answer-") and key.removeprefix("answer-").isdigit()
    }
    try:
        services.resubmit(audit=audit, actor=request.user, answers=answers)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: the auditor will check your changes."))
    return redirect("audits:merchant_audit", pk=audit.pk)


@login_required
@require_POST
def merchant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit_for(request.user, pk)
    try:
        services.withdraw(audit=audit, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The audit was withdrawn."))
    return redirect("audits:merchant_audit", pk=audit.pk)


@login_required
@require_POST
def apply(request: HttpRequest, public_id: str) -> HttpResponse:
    """The owner or an employee with the audits right applies for the trust mark."""
    shop = get_shop_for(request.user, public_id)
    try:
        audit = services.request_audit(shop=shop, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:shop_detail", public_id=shop.public_id)
    messages.success(request, _("Your application was received. An auditor will check the shop."))
    return redirect("audits:merchant_audit", pk=audit.pk)


@login_required
def evidence(request: HttpRequest, pk: int, finding_id: int) -> FileResponse:
    """An evidence file, only for those who may see the audit."""
    audit = get_audit_for(request.user, pk)
    finding = Finding.objects.filter(audit=audit, pk=finding_id).exclude(evidence_file="").first()
    if finding is None:
        raise Http404("No such evidence.")
    name = finding.evidence_file.name.rsplit("/", 1)[-1]
    kind = name.rsplit(".", 1)[-1].lower()
    return download(
        finding.evidence_file,
        filename=name,
        content_type=CONTENT_TYPES.get("jpg" if kind == "jpeg" else kind, "application/pdf"),
    )
